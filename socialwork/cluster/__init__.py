"""Running the dashboard for many users: PostgreSQL as the server database, app replicas behind HAProxy, and a load
generator that speaks Streamlit's websocket protocol (see README, "Run for many users")."""
