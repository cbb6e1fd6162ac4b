"""Streamlit's plotly chunk cut down to the dashboard's trace types (issue 32, socialwork/web/plotly_lite.py): served
in the chunk's place, whole, the same plotly.js with Streamlit's component and exports untouched; anything else
(a chunk it was not checked for, no Node.js, SOCIALWORK_PLOTLY_LITE=0) gets Streamlit's own."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import re
import shutil
import subprocess

import brotli
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.cluster.serving import free_port, serve_command, start_server, stop_server
from socialwork.data import settings
from socialwork.web import plotly_lite, precompress
from socialwork.web.static_encoding import PrecompressedStatic
from tests.test_compression import fetch

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="no Node.js: the lite chunk is not built, Streamlit's is served")


def export_statement(text: str) -> str:
    return re.findall(r"export\{[^}]*\};?\s*$", text)[-1]


@pytest.fixture(scope="module")
def lite_cache(tmp_path_factory):
    """A cache folder holding only the lite chunk (built as precompress does), and Streamlit's chunk."""
    if NODE is None:
        pytest.skip("no Node.js")
    cache = tmp_path_factory.mktemp("lite-cache")
    root = precompress.static_dir()
    built = precompress.write_lite(root, cache)
    assert built is not None, "the lite chunk was not built for the installed Streamlit (see the log above)"
    (cache / precompress.COMPLETE).write_text("test\n", encoding="ascii")  # no background run into a temp folder
    return cache, plotly_lite.chunk(root), built


@needs_node
def test_the_lite_chunk_is_streamlit_s_with_only_the_dashboard_s_trace_types(lite_cache):
    _, original_path, built = lite_cache
    original, lite = original_path.read_bytes(), built.read_bytes()
    assert plotly_lite.check(lite, original) == []
    text = lite.decode()
    assert export_statement(text) == export_statement(original.decode())  # PlotlyChart and default, as Streamlit's
    assert "as PlotlyChart" in export_statement(text) and "as default" in export_statement(text)
    assert sorted(plotly_lite.registered(text)) == sorted(plotly_lite.TRACE_MODULES)
    for trace in plotly_lite.TRACES:
        assert f'"src/traces/{trace}/plot.js"' in text, trace
    for dropped in ("pie", "heatmap", "scattergl", "scattermap", "sankey", "table"):
        assert f'"src/traces/{dropped}/index.js"' not in text, dropped
    assert len(lite) < 0.35 * len(original)
    # The whole file parses as the ES module it replaces (node checks syntax; the imports are Streamlit's).
    module = built.parent / "check.mjs"
    module.write_bytes(lite)
    done = subprocess.run([NODE, "--check", str(module)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@needs_node
def test_the_served_plotly_chunk_is_the_lite_one_in_every_coding(lite_cache):
    cache, original_path, built = lite_cache
    lite = built.read_bytes()
    path = original_path.relative_to(precompress.static_dir()).as_posix()
    port = free_port()
    process = start_server(serve_command(port), port, env={precompress.STATIC_CACHE_ENV: str(cache)})
    try:
        url = f"http://127.0.0.1:{port}/{path}"
        for accept, coding, decode in [
            ("gzip, deflate, br, zstd", "br", brotli.decompress), ("gzip, deflate", "gzip", gzip.decompress),
            ("", None, lambda body: body),
        ]:  # fmt: skip
            asked = {"Accept-Encoding": accept} if accept else {}
            status, headers, body = fetch(url, **asked)
            assert (status, headers.get("content-encoding")) == (200, coding)
            assert decode(body) == lite  # whole, the same bytes in every coding
            assert int(headers["content-length"]) == len(body)
            assert headers["etag"].endswith({"br": '-lite-br"', "gzip": '-lite-gz"', None: '-lite"'}[coding])
            assert headers["cache-control"] == "public, immutable, max-age=31536000"
            assert headers["vary"] == "Accept-Encoding"
            assert fetch(url, **asked, **{"If-None-Match": headers["etag"]})[0] == 304  # revalidated as the file
        status, headers, body = fetch(url, Range="bytes=0-99")  # a range of the file is not one of the lite file
        assert (status, body) == (200, lite)
    finally:
        stop_server(process)
    assert len(brotli.compress(lite)) < 0.4e6  # on the wire: 1.06 MB → 0.36 MB


def _static(cache, scope_path: str, accept: str) -> tuple[dict, bytes]:
    """The middleware's answer over a stand-in for Streamlit's static handler (ETag "abc", body b"plain")."""

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"etag", b'"abc"'), (b"content-length", b"5")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else b"plain"})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": scope_path, "headers": [(b"accept-encoding", accept.encode())]}
    asyncio.run(PrecompressedStatic(inner, cache, base_url="")(scope, None, send))
    return dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def test_the_lite_file_is_served_unless_turned_off(tmp_path, monkeypatch):
    (tmp_path / "static/js").mkdir(parents=True)
    (tmp_path / "static/js/PlotlyChart.x.js.lite").write_bytes(b"lite")
    (tmp_path / "static/js/PlotlyChart.x.js.lite.br").write_bytes(b"lite-br")
    (tmp_path / "static/js/PlotlyChart.x.js.br").write_bytes(b"full-br")
    headers, body = _static(tmp_path, "/static/js/PlotlyChart.x.js", "br")
    assert (body, headers[b"etag"], headers[b"content-encoding"]) == (b"lite-br", b'"abc-lite-br"', b"br")
    headers, body = _static(tmp_path, "/static/js/PlotlyChart.x.js", "gzip")  # no .lite.gz: the lite file plain
    assert (body, headers[b"etag"], headers[b"content-length"]) == (b"lite", b'"abc-lite"', b"4")
    assert b"content-encoding" not in headers
    monkeypatch.setenv(plotly_lite.LITE_ENV, "0")
    headers, body = _static(tmp_path, "/static/js/PlotlyChart.x.js", "br")
    assert (body, headers[b"etag"]) == (b"full-br", b'"abc-br"')
    headers, body = _static(tmp_path, "/static/js/PlotlyChart.x.js", "")
    assert (body, headers[b"etag"]) == (b"plain", b'"abc"')


def test_a_chunk_it_was_not_checked_for_is_left_as_streamlit_s(tmp_path):
    root, out = tmp_path / "static", tmp_path / "cache"
    (root / "static/js").mkdir(parents=True)
    chunk = root / "static/js/PlotlyChart.D9Z0_fxz.js"
    chunk.write_text("export{};\n", encoding="utf-8")  # same name, other bytes (a patched or newer Streamlit)
    said: list[str] = []
    assert precompress.write_lite(root, out, log=said.append) is None
    assert "不是核对过的文件" in said[0] and hashlib.sha256(chunk.read_bytes()).hexdigest()[:12] in said[0]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    # Streamlit's own is served, and a server does not try again (without Node.js, none tries)
    assert written == (["static/js/PlotlyChart.D9Z0_fxz.js.lite.failed"] if NODE else [])
    assert not plotly_lite.pending(root, out)


def test_a_result_missing_a_trace_or_touching_streamlit_s_part_is_refused():
    original = (
        b'import{a}from"./x.js";var W=1;(function(e,n){e.moduleName=n()})(self,()=>{var e=(()=>{'
        b'var T=_({"src/version.js"(e){e.version=`4.2.0`}}),Iu=_({"lib/bar.js"(e,t){}}),Pie=_({"lib/pie.js"(e,t){}});'
        b'return _({"lib/index.js"(e,t){var n=bu();n.register([Iu(),Pie()]),t.exports=n}})()})();'
        b"return window.Plotly=e,e});export{Je as PlotlyChart,Xe as default};"
    )
    assert plotly_lite.registered(original.decode()) == ["lib/bar.js", "lib/pie.js"]
    problems = plotly_lite.check(original.replace(b"import{a}", b"import{b}"), original)
    assert any("Streamlit" in p for p in problems)
    assert any("注册的图形类型" in p for p in problems)
    assert any("缺少图形类型的模块" in p for p in problems)


PAGES = sorted(p.stem for p in (settings.REPO_ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_of_a_page_is_of_a_kept_trace_type(page):
    """A chart of another type (a pie, a heatmap) would draw nothing from the lite chunk: add it to TRACE_MODULES
    and TRACES (and check it in a browser) first."""
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        types = {trace.get("type", "scatter") for trace in spec.get("data", [])}
        assert types <= set(plotly_lite.TRACES), (page, types)
    # Nor a Vega-Lite chart: st.metric's sparkline alone made a phone fetch and run its bundle (cards.sparkline_svg)
    assert not at.get("vega_lite_chart") and not [m for m in at.metric if m.proto.chart_data], page
