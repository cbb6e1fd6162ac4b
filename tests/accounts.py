"""A session signed in as an account with a role, for AppTest: the role stored where the app reads it (the server
database of the store being served; for the read-only demo, a file in this test's own temp folder)."""

from __future__ import annotations

import tempfile
import time

from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.server.access import Account, Roles
from socialwork.present.staff import auth


def sign_in(at, monkeypatch, tmp_path, user, role: str, unit: str | None = None) -> Account:
    """Give `user` (of the users file) `role` and log the AppTest session in as it; call after SOCIALWORK_DATA."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # never the machine's shared temp file
    Roles(auth.server_url()).set_role(user.username, role, unit, COMMAND_LINE)
    account = Account(user.username, user.display_name, role, unit)
    at.session_state["logged_in_user"] = account
    at.session_state["logged_in_last_active"] = time.time()
    return account
