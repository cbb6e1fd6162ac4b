"""ASGI middleware: Streamlit's /static/ files answered with their precompressed variant when the browser accepts it.

Streamlit's own static handler still answers every request (path checks, 404s, `Cache-Control: public,
immutable`, ETag, Last-Modified, 304); for a 200 of a file with a variant in the cache folder that the request's
Accept-Encoding allows, this swaps the body for the variant's bytes and sets Content-Encoding, Content-Length and
an ETag of the variant (the file's with `-br` / `-gz`: a representation of its own). A browser revalidating with
such an ETag has the suffix taken off before Streamlit compares it, so its 304 still comes (Apache's mod_deflate
once forgot that and answered every revalidation in full). A file of a compressible type is answered with
`Vary: Accept-Encoding` whether or not its variant is written yet, so that no cache in front keeps its plain bytes
for everyone (HAProxy's rules in socialwork/cluster/haproxy.py rely on it).

Where the cache holds a lite version of a file (`<path>.lite`, with `.lite.br` and `.lite.gz`: Streamlit's plotly
chunk cut down to the dashboard's trace types, socialwork/web/plotly_lite.py), that is sent in the file's place,
compressed or plain, whole (a Range is not honoured: its offsets would be the file's), with ETags of its own
(`-lite`, `-lite-br`, `-lite-gz`); SOCIALWORK_PLOTLY_LITE=0 turns that off.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialwork.web import plotly_lite
from socialwork.web.precompress import COMPRESSIBLE

STATIC_PREFIX = "/static/"
SUFFIX = {"br": "-br", "gzip": "-gz"}  # added inside the ETag's quotes
LITE_TAG = "-lite"  # before the coding's: a lite file is a representation of its own
PREFERENCE = ("br", "gzip")  # brotli is ~25 % smaller on Streamlit's bundles


def accepted(header: str) -> str | None:
    """The coding to answer in for an Accept-Encoding value (RFC 9110 12.5.3): br, else gzip, else None."""
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            weights[name.lower()] = q
    for coding in PREFERENCE:
        if weights.get(coding, weights.get("*", 0.0)) > 0:
            return coding
    return None


def _plain_etag(tag: bytes) -> bytes:
    """The file's own ETag inside a variant's (the suffixes taken off)."""
    for suffix in [*SUFFIX.values(), LITE_TAG]:
        end = f'{suffix}"'.encode()
        if tag.endswith(end):
            tag = tag[: -len(end)] + b'"'
    return tag


def _variant_etag(tag: bytes, coding: str | None, lite: bool = False) -> bytes:
    suffix = (LITE_TAG if lite else "") + (SUFFIX[coding] if coding else "")
    return tag[:-1] + f'{suffix}"'.encode() if tag.endswith(b'"') else tag + suffix.encode()


class PrecompressedStatic:
    """Wraps Streamlit's ASGI app; the cache folder is written by socialwork.web.precompress."""

    def __init__(self, app: Any, cache: Path, base_url: str | None = None) -> None:
        if base_url is None:  # built at the first request, when Streamlit's configuration is loaded
            from streamlit import config

            base_url = config.get_option("server.baseUrlPath") or ""
        self.app = app
        self.cache = cache
        self.lite = plotly_lite.enabled()
        self.prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""

    def _relative(self, scope: dict) -> str | None:
        """The requested file's path under Streamlit's static folder, if it is a /static/ GET or HEAD."""
        path: str = scope.get("path", "")
        if self.prefix and path.startswith(self.prefix + "/"):
            path = path[len(self.prefix) :]
        if scope["method"] not in {"GET", "HEAD"} or not path.startswith(STATIC_PREFIX) or ".." in path:
            return None
        return path.lstrip("/")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        relative = self._relative(scope) if scope["type"] == "http" else None
        if relative is None:
            await self.app(scope, receive, send)
            return
        lite = self.lite and _read(self.cache / f"{relative}{plotly_lite.LITE}") is not None
        stem = f"{relative}{plotly_lite.LITE}" if lite else relative
        headers = [(k, _plain_etag(v) if k == b"if-none-match" else v) for k, v in scope["headers"]]
        if lite:  # sent whole: a range of the file's bytes is not one of the lite file's
            headers = [(k, v) for k, v in headers if k not in {b"range", b"if-range"}]
        request = dict(headers)
        coding = None if b"range" in request else accepted(request.get(b"accept-encoding", b"").decode("latin-1"))
        variant = self.cache / f"{stem}{'.br' if coding == 'br' else '.gz'}" if coding else None
        body = _read(variant) if variant is not None else None
        if lite and body is None:  # no coding accepted (or its variant missing): the lite file plain
            coding, body = None, _read(self.cache / stem)
        # With a variant at hand Streamlit is asked for the headers only (HEAD): its status, caching headers and
        # ETag are what count, and it does not read the file for nothing.
        inner = {**scope, "headers": headers, "method": "HEAD" if body is not None else scope["method"]}
        swapped = False

        async def swap(message: dict) -> None:
            nonlocal swapped
            if message["type"] == "http.response.start":
                swapped = message["status"] == 200 and body is not None
                varies = Path(relative).suffix in COMPRESSIBLE
                await send(_start(message, coding, body, varies, lite))
                if swapped:
                    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
            if not swapped:
                await send(message)

        await self.app(inner, receive, swap)


def _start(message: dict, coding: str | None, body: bytes | None, varies: bool, lite: bool = False) -> dict:
    """The response's start with Vary for a file of a compressible type (a font or an image is the same for every
    browser), and for a variant or a lite file (200 with its body, or 304) its coding and ETag."""
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
    if varies:
        headers.append((b"vary", b"Accept-Encoding"))
    if body is None or (coding is None and not lite) or message["status"] not in {200, 304}:
        return {**message, "headers": headers}
    headers = [(k, _variant_etag(v, coding, lite) if k.lower() == b"etag" else v) for k, v in headers]
    if message["status"] == 200:
        replaced = {b"content-length", b"content-encoding", b"accept-ranges"}
        headers = [(k, v) for k, v in headers if k.lower() not in replaced]
        headers += [(b"content-encoding", coding.encode())] if coding else []
        headers += [(b"content-length", str(len(body)).encode())]
    return {**message, "headers": headers}


_variants: dict[Path, bytes] = {}  # a replica serves the same few MB to every new browser: kept in memory


def _read(variant: Path) -> bytes | None:
    """The variant's bytes, or None while it is not written (the cache is filled in the background)."""
    found = _variants.get(variant)
    if found is None and os.path.exists(variant):
        found = _variants[variant] = variant.read_bytes()
    return found
