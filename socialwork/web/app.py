"""The dashboard as an ASGI app: Streamlit's documented `st.App`, with the precompressed static files in front."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from socialwork.data import settings
from socialwork.data.storage import combine_worker
from socialwork.web import precompress
from socialwork.web.static_encoding import PrecompressedStatic


def dashboard(entrypoint: Path):
    """st.App over the entrypoint; its middleware runs before Streamlit's own (which leaves /static/ plain)."""
    import streamlit as st
    from starlette.middleware import Middleware

    return st.App(entrypoint, middleware=[Middleware(PrecompressedStatic, cache=precompress.cache_dir())])


def environment_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Streamlit's options set by STREAMLIT_* variables (STREAMLIT_SERVER_FILE_WATCHER_TYPE=auto…), typed.

    `streamlit run` reads them through its command line library; App.run does not, so they are handed to it as
    config overrides. Sensitive options (secrets) Streamlit reads from the environment itself."""
    from streamlit import config

    environ = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    for name, option in config._config_options_template.items():  # the table App.run validates against
        value = environ.get(option.env_var)
        if value is None or option.sensitive:
            continue
        if option.type is bool:
            found[name] = value.strip().lower() in {"true", "1", "yes", "on"}
        elif option.type in (int, float):
            found[name] = option.type(value)
        elif option.type is list:
            found[name] = value.split()
        else:
            found[name] = value
    return found


def run(entrypoint: Path, port: int, address: str) -> None:
    """Serve until stopped, as `streamlit run entrypoint` would, with the static files compressed."""
    precompress.start_in_background()
    # App.run takes its launcher, sys.argv[0], as the folder of .streamlit/config.toml: the entrypoint's, as with
    # `streamlit run`, not socialwork/__main__.py's.
    sys.argv = [str(entrypoint)]
    overrides = environment_config() | {"server.port": port, "server.address": address}
    dashboard(entrypoint).run(config=overrides)


def serve(port: int, address: str, data: str | None = None) -> None:
    """The dashboard (dashboard.py) on the store in data: what `python -m socialwork serve` runs."""
    from streamlit.runtime.pages_manager import PagesManager

    if data:
        os.environ[settings.DATA_DIR_ENV] = str(settings.data_dir(data))
    root = settings.data_dir()  # fail early, in Chinese, on a bad data dir
    combine_worker.start(root)  # a bucket of many counties: its stale months combined in the background
    # Start in st.navigation mode: with a pages/ folder beside the entrypoint, Streamlit would
    # otherwise serve the first session through its legacy page discovery (see filtering.ensure_entrypoint).
    PagesManager.uses_pages_directory = False
    run(settings.REPO_ROOT / "dashboard.py", port, address)
