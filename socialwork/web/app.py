"""The dashboard as an ASGI app: Streamlit's documented `st.App`, with the precompressed static files in front."""

from __future__ import annotations

import sys
from pathlib import Path

from socialwork.web import precompress
from socialwork.web.static_encoding import PrecompressedStatic


def dashboard(entrypoint: Path):
    """st.App over the entrypoint; its middleware runs before Streamlit's own (which leaves /static/ plain)."""
    import streamlit as st
    from starlette.middleware import Middleware

    return st.App(entrypoint, middleware=[Middleware(PrecompressedStatic, cache=precompress.cache_dir())])


def run(entrypoint: Path, port: int, address: str) -> None:
    """Serve until stopped, as `streamlit run entrypoint` would, with the static files compressed."""
    precompress.start_in_background()
    # App.run takes its launcher, sys.argv[0], as the folder of .streamlit/config.toml: the entrypoint's, as with
    # `streamlit run`, not socialwork/__main__.py's.
    sys.argv = [str(entrypoint)]
    dashboard(entrypoint).run(config={"server.port": port, "server.address": address})
