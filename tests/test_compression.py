"""Streamlit's static files served compressed (issue 32): precompressed once, negotiated per request, the immutable
caching, ETag and 304 of Streamlit's handler kept."""

from __future__ import annotations

import gzip
import random
import re
import urllib.error
import urllib.request

import brotli
import pytest

from socialwork.cluster.serving import free_port, serve_command, start_server, stop_server
from socialwork.web import plotly_lite, precompress
from socialwork.web.static_encoding import accepted


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),  # Chromium's
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", None),
        ("identity", None),
        ("", None),
        ("*", "br"),
        ("*;q=0, gzip;q=0.5", "gzip"),
        ("GZIP;Q=1", "gzip"),
    ],
)
def test_the_coding_follows_accept_encoding(header, coding):
    assert accepted(header) == coding


def test_precompress_writes_each_variant_once_and_skips_what_does_not_shrink(tmp_path):
    root, out = tmp_path / "static", tmp_path / "cache"
    (root / "static" / "js").mkdir(parents=True)
    script = b"function f(){return 1}\n" * 400
    (root / "static" / "js" / "a.js").write_bytes(script)
    (root / "static" / "js" / "tiny.js").write_bytes(b"x")  # under MIN_BYTES
    (root / "static" / "js" / "random.json").write_bytes(random.Random(32).randbytes(2048))  # incompressible
    (root / "font.woff2").write_bytes(b"\0" * 4096)  # compressed already: not tried
    assert precompress.precompress(root, out, workers=1) == 4
    assert gzip.decompress((out / "static/js/a.js.gz").read_bytes()) == script
    assert brotli.decompress((out / "static/js/a.js.br").read_bytes()) == script
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != ".lock")
    assert written == [
        "COMPLETE", "static/js/a.js.br", "static/js/a.js.gz", "static/js/random.json.br.skip",
        "static/js/random.json.gz.skip",
    ]  # fmt: skip
    assert precompress.precompress(root, out, workers=1) == 0  # once


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`python -m socialwork serve` (what run.sh starts) with a cache holding the variants of index.js only."""
    cache = tmp_path_factory.mktemp("static-cache")
    root = precompress.static_dir()
    script = root / entry_script((root / "index.html").read_text(encoding="utf-8"))  # every page loads it
    precompress._compress_one(str(script), str(root), str(cache))
    (cache / precompress.COMPLETE).write_text("test\n", encoding="ascii")  # no background run into a temp folder
    port = free_port()
    env = {precompress.STATIC_CACHE_ENV: str(cache), plotly_lite.LITE_ENV: "0"}  # the lite plotly: test_plotly_lite
    process = start_server(serve_command(port), port, env=env)
    yield f"http://127.0.0.1:{port}", script
    stop_server(process)


def entry_script(page: str) -> str:
    """The path of the page's entry bundle (static/js/index.<hash>.js)."""
    return re.search(r'<script[^>]* src="\.?/?(static/js/index\.[^"]+\.js)"', page).group(1)


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body bytes as sent: urllib decodes no content coding."""
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_a_page_s_script_comes_compressed_when_the_browser_accepts_it(served):
    base, script = served
    page = fetch(base + "/")[2].decode()
    path = entry_script(page)
    assert path == script.relative_to(precompress.static_dir()).as_posix()
    on_disk = script.read_bytes()
    for accept, coding, decode in [("gzip, deflate", "gzip", gzip.decompress), ("gzip, br", "br", brotli.decompress)]:
        status, headers, body = fetch(f"{base}/{path}", **{"Accept-Encoding": accept})
        assert (status, headers.get("content-encoding")) == (200, coding)
        assert decode(body) == on_disk
        assert int(headers["content-length"]) == len(body) < len(on_disk) / 3
        assert headers["cache-control"] == "public, immutable, max-age=31536000"  # Streamlit's, kept
        assert headers["vary"] == "Accept-Encoding"
        assert headers["etag"].endswith(f'-{"br" if coding == "br" else "gz"}"')
        # A revalidation with the variant's ETag is a 304, as for the plain file.
        assert fetch(f"{base}/{path}", **{"Accept-Encoding": accept, "If-None-Match": headers["etag"]})[0] == 304
        head = fetch(f"{base}/{path}", "HEAD", **{"Accept-Encoding": accept})
        assert (head[1]["content-length"], head[1]["content-encoding"], head[2]) == (str(len(body)), coding, b"")
    status, headers, body = fetch(f"{base}/{path}")  # no Accept-Encoding: the file as it is
    assert (status, headers.get("content-encoding"), body) == (200, None, on_disk)
    assert headers["vary"] == "Accept-Encoding"
    assert fetch(f"{base}/{path}", **{"If-None-Match": headers["etag"]})[0] == 304


def test_a_file_without_a_variant_and_a_missing_file_are_answered_as_streamlit_does(served):
    base, _ = served
    status, headers, body = fetch(f"{base}/static/js/no-such-file.js", **{"Accept-Encoding": "br"})
    assert status in {200, 404} and headers.get("content-encoding") is None
    (other,) = [p for p in precompress.static_dir().glob("static/js/protobuf.*.js")]
    status, headers, body = fetch(f"{base}/static/js/{other.name}", **{"Accept-Encoding": "gzip, br"})
    assert (status, headers.get("content-encoding"), body) == (200, None, other.read_bytes())


def test_haproxy_s_cache_hands_each_browser_the_coding_it_asked_for(served, tmp_path):
    """Behind replicas' HAProxy (its cache on): compressed once by the replica, not again by HAProxy, and a plain
    copy never served to a browser that takes brotli, nor brotli to one that takes gzip only."""
    from socialwork.cluster import haproxy

    base, script = served
    port = free_port()
    balancer = haproxy.start(tmp_path, port, [int(base.rsplit(":", 1)[1])], cache=True)
    try:
        url = f"http://127.0.0.1:{port}/{script.relative_to(precompress.static_dir()).as_posix()}"
        asked = ["", "gzip, deflate", "gzip, deflate, br, zstd", "", "gzip, deflate", "gzip, deflate, br, zstd"]
        answers = []
        for accept in asked:
            status, headers, _ = fetch(url, **({"Accept-Encoding": accept} if accept else {}))
            answers.append((status, headers.get("content-encoding"), "age" in headers))
        assert answers == [
            (200, None, False), (200, "gzip", False), (200, "br", False),
            (200, None, False), (200, "gzip", True), (200, "br", True),  # the variants from HAProxy's cache
        ]  # fmt: skip
    finally:
        stop_server(balancer)


def test_the_websocket_offers_per_message_deflate(served):
    """.streamlit/config.toml's server.enableWebsocketCompression: a rerun's elements travel deflated."""
    import http.client

    base, _ = served
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    connection.request("GET", "/_stcore/stream", headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "streamlit",
        "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
    })  # fmt: skip
    response = connection.getresponse()
    assert response.status == 101
    assert response.headers["Sec-WebSocket-Extensions"].startswith("permessage-deflate")
    connection.close()


def test_streamlit_s_environment_variables_still_set_its_options():
    """`serve` starts Streamlit through st.App.run, which reads no STREAMLIT_* variable: they are handed over."""
    from socialwork.web.app import environment_config

    assert environment_config({
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto", "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true",
        "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION": "false", "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "50",
        "UNRELATED": "x",
    }) == {
        "server.fileWatcherType": "auto", "runner.postScriptGC": True, "server.enableWebsocketCompression": False,
        "server.maxUploadSize": 50,
    }  # fmt: skip


def test_a_base_url_path_is_taken_off_and_no_path_leaves_the_static_folder(tmp_path):
    from socialwork.web.static_encoding import PrecompressedStatic

    middleware = PrecompressedStatic(None, tmp_path, base_url="/dash/")
    scope = {"type": "http", "method": "GET"}
    assert middleware._relative(scope | {"path": "/dash/static/js/a.js"}) == "static/js/a.js"
    assert middleware._relative(scope | {"path": "/static/js/a.js"}) == "static/js/a.js"
    assert middleware._relative(scope | {"path": "/dash/static/../../etc/passwd"}) is None
    assert middleware._relative(scope | {"path": "/dash/targets"}) is None
    assert middleware._relative(scope | {"method": "POST", "path": "/static/js/a.js"}) is None
