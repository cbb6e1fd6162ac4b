"""What data staff do: the users file, the login and the import page's steps."""
