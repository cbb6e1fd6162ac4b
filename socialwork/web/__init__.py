"""Serving the dashboard over HTTP: Streamlit's static files precompressed, and the ASGI app that serves them."""
