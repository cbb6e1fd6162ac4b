"""ASGI middleware: a chart page's HTML asks for Streamlit's plotly chunk at once (`<link rel="modulepreload">`).

Streamlit fetches its plotly chunk (4.7 MB, 1.06 MB in brotli) only when the first chart element arrives: after the
frontend has loaded, opened its websocket and the script has run. On a county's 4 Mbps link that idle gap is worth
about a second, so a page that will draw a chart names the chunk in its HTML and the browser fetches it during the
gap. Pages without charts (会议演示与导出, 变化对比, the staff's pages) are left as they are. The HTML is asked of
Streamlit uncompressed (2.4 KB gzipped: compressing it again here is not worth a library) and its ETag gets a suffix,
taken off again when a browser revalidates so that Streamlit's 304 still comes (static_encoding.py does the same).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

PRELOAD_ENV = "SOCIALWORK_CHART_PRELOAD"  # "off" serves Streamlit's HTML as it is (to measure the difference)
CHART_PAGES = {"", "overview", "targets", "staffing", "posts", "stations", "incentives", "purchases"}
SUFFIX = b"-pl"
_NOT_PAGES = ("/static/", "/_stcore/", "/media/", "/component/", "/app/")


@cache
def plotly_chunk() -> str | None:
    """The hashed file name of Streamlit's plotly chunk in this Streamlit version (None if it has none)."""
    import streamlit

    found = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else None


def preload_tag(chunk: str) -> bytes:
    return f'<link rel="modulepreload" crossorigin href="./static/js/{chunk}">'.encode()


class ChartPreload:
    """Wraps Streamlit's ASGI app (outside PrecompressedStatic)."""

    def __init__(self, app: Any, base_url: str | None = None, chunk: str | None = None) -> None:
        if base_url is None:
            from streamlit import config

            base_url = config.get_option("server.baseUrlPath") or ""
        self.app = app
        self.prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""
        self.chunk = chunk if chunk is not None else plotly_chunk()
        if os.environ.get(PRELOAD_ENV, "").strip().lower() == "off":
            self.chunk = None

    def _charts(self, scope: dict) -> bool:
        """Whether the request is a GET of a chart page's HTML."""
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"} or self.chunk is None:
            return False
        path: str = scope.get("path", "")
        if self.prefix:
            if not path.startswith(self.prefix):
                return False
            path = path[len(self.prefix) :]
        if path.startswith(_NOT_PAGES) or "." in path.rsplit("/", 1)[-1]:
            return False
        return path.strip("/") in CHART_PAGES

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if not self._charts(scope):
            await self.app(scope, receive, send)
            return
        headers = [(k, _plain(v) if k == b"if-none-match" else v) for k, v in scope["headers"]
                   if k != b"accept-encoding"]  # fmt: skip
        held: dict = {}
        parts: list[bytes] = []

        async def rewrite(message: dict) -> None:
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] == 200 and kind.startswith(b"text/html"):
                    held["start"] = message
                    return
                await send(_tagged(message))
                return
            if "start" not in held:
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = _with_preload(b"".join(parts), preload_tag(self.chunk))
            await send(_tagged(held["start"], length=len(body) if scope["method"] == "GET" else None))
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})

        await self.app({**scope, "headers": headers}, receive, rewrite)


def _with_preload(html: bytes, tag: bytes) -> bytes:
    """The tag just before </head> (or the page unchanged, should Streamlit's HTML ever lack one)."""
    at = html.find(b"</head>")
    return html if at < 0 or tag in html else html[:at] + tag + html[at:]


def _plain(tag: bytes) -> bytes:
    end = SUFFIX + b'"'
    return tag[: -len(end)] + b'"' if tag.endswith(end) else tag


def _tagged(message: dict, length: int | None = None) -> dict:
    """The start with the ETag of the page as sent (suffixed) and, for a rewritten body, its length."""
    headers = []
    for key, value in message.get("headers", []):
        if key.lower() == b"etag" and value.endswith(b'"'):
            value = value[:-1] + SUFFIX + b'"'
        if key.lower() == b"content-length" and length is not None:
            value = str(length).encode()
        headers.append((key, value))
    return {**message, "headers": headers}
