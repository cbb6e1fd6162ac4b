"""The server database the app writes interactively: meetings and their follow-up items, failed logins."""
