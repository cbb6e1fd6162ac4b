"""Streamlit's plotly chunk cut down to the trace types the dashboard draws (issue 32).

Streamlit 1.67 loads plotly.js whole in one chunk, static/js/PlotlyChart.<hash>.js: 4.7 MB of script (1.06 MB
brotli) that a phone spends most of a first visit parsing. The dashboard draws four trace types: bar (px.timeline
is bars), scatter, and on its maps choropleth with a scattergeo of names (socialwork/present/screen/maps.py). The
chunk embeds plotly.min.js 4.2.0 as one UMD factory over plotly's own esbuild bundle, a module per source file;
scripts/plotly-lite/prune.mjs keeps of plotly's trace list only those types and of the modules only what the kept
code reaches, and leaves every other byte of the chunk as it is (Streamlit's React component, its exports). The
same plotly.js version, minus 60 % of its modules: 4.72 MB → 1.32 MB, 1.06 MB → 0.36 MB brotli.

Why not plotly's own partial bundles (plotly.js-basic-dist-min, plotly.js-geo-dist-min, a custom bundle of the
plotly.js package): the npm registry has plotly.js up to 4.1.1, and Streamlit's chunk holds 4.2.0; a bundle of
another version would run under Streamlit's component untested. Pruning the chunk itself keeps plotly's exact code.

It is written once per Streamlit version beside the precompressed files (socialwork/web/precompress.py's
write_lite() writes what lite() returns) as `<cache>/<chunk path>.lite` and its `.br` / `.gz`; socialwork/web/
static_encoding.py serves it in the chunk's place, with ETags of their own (`-lite`). Only for a chunk whose sha256
is in CHECKED (the file this was checked against in a browser); any other chunk, a machine without Node.js, a failed
or suspicious result, or SOCIALWORK_PLOTLY_LITE=0 when serving: Streamlit's own chunk is served, as before.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from socialwork.data import settings

TRACE_MODULES = ("lib/bar.js", "lib/choropleth.js", "lib/scattergeo.js")  # scatter: plotly's core registers it
TRACES = ("bar", "scatter", "choropleth", "scattergeo")  # their src/traces/<type>/ modules must all be there
PLOTLY_VERSION = "4.2.0"
CHECKED = {  # Streamlit's chunk → its sha256: the chunks the pruning was checked against (charts, clicks, maps)
    "static/js/PlotlyChart.D9Z0_fxz.js": "8cb9b72292d50f4ac26b35921c6209897f2a946d03214aa63214e86f129a8cb1",  # 1.67.0
}
LITE = ".lite"  # <cache>/<chunk path>.lite, .lite.br, .lite.gz
FAILED = ".failed"  # <cache>/<chunk path>.lite.failed: tried and not written (only an explicit run tries again)
LITE_ENV = "SOCIALWORK_PLOTLY_LITE"  # "0": serve Streamlit's own chunk even where the lite one is built
TOOLS = settings.REPO_ROOT / "scripts" / "plotly-lite"
MAX_RATIO = 0.5  # a result not under half the chunk kept more than it should: not served


def enabled() -> bool:
    return os.environ.get(LITE_ENV, "1").strip() != "0"


def chunk(root: Path) -> Path | None:
    """Streamlit's plotly chunk under its static folder (None unless exactly one)."""
    found = sorted(root.glob("static/js/PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


def target(root: Path, out: Path) -> Path | None:
    """Where the lite chunk of root's plotly chunk goes in the cache folder out."""
    found = chunk(root)
    return out / f"{found.relative_to(root).as_posix()}{LITE}" if found else None


def pending(root: Path, out: Path) -> bool:
    """Whether write_lite() has work here: a checked chunk, not written nor tried, Node.js at hand, not turned off."""
    found, written = chunk(root), target(root, out)
    if not enabled() or found is None or written is None or written.exists() or not shutil.which("node"):
        return False
    if Path(f"{written}{FAILED}").exists():
        return False
    return CHECKED.get(found.relative_to(root).as_posix()) == hashlib.sha256(found.read_bytes()).hexdigest()


def lite(found: Path, log: Callable[[str], None] = print) -> bytes | None:
    """The lite chunk of Streamlit's chunk found (static/js/PlotlyChart.<hash>.js under root), or None: Streamlit's
    own is served (a chunk not in CHECKED, no Node.js, the pruning failed, or its result fails check())."""
    root = found.parents[2]
    relative = found.relative_to(root).as_posix()
    original = found.read_bytes()
    digest = hashlib.sha256(original).hexdigest()
    if CHECKED.get(relative) != digest:
        log(f"plotly.js 精简：{relative}（sha256 {digest[:12]}…）不是核对过的文件，"
            "仍发送 Streamlit 自带的完整 plotly.js；在浏览器中核对图表后把它的 sha256 加入 "
            "socialwork/web/plotly_lite.py 的 CHECKED")  # fmt: skip
        return None
    try:
        pruned = prune(found)
    except (OSError, subprocess.SubprocessError, RuntimeError) as err:
        log(f"plotly.js 精简失败，仍发送 Streamlit 自带的完整 plotly.js：{err}")
        return None
    problems = check(pruned, original)
    if problems:
        log("plotly.js 精简结果未通过检查，仍发送完整 plotly.js：" + "；".join(problems))
        return None
    log(f"plotly.js 精简：{len(original) / 1e6:.2f} MB → {len(pruned) / 1e6:.2f} MB（{'、'.join(TRACES)}）")
    return pruned


def prune(found: Path) -> bytes:
    """scripts/plotly-lite/prune.mjs over the chunk (its tools installed by `npm ci` when missing)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("没有 Node.js（node），无法精简；scripts/system-packages.sh 安装 nodejs 与 npm")
    if not (TOOLS / "node_modules" / "eslint-scope").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("没有 npm，无法安装 scripts/plotly-lite 的工具（acorn、eslint-scope）")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=TOOLS, check=True, timeout=600,
                       capture_output=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="plotly-lite-") as tmp:
        written = Path(tmp) / found.name
        done = subprocess.run([node, str(TOOLS / "prune.mjs"), str(found), str(written), *TRACE_MODULES],
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip()[-500:] or f"prune.mjs exit {done.returncode}")
        return written.read_bytes()


def registered(text: str) -> list[str]:
    """The modules lib/index.js registers in a chunk: ["lib/bar.js", ...]."""
    found = re.search(r'"lib/index\.js"\(\w+,\w+\)\{var \w+=[\w$]+\(\);\w+\.register\(\[([^\]]*)\]\)', text)
    if found is None:
        return []
    names = re.findall(r"([\w$]+)\(\)", found.group(1))
    paths = dict(re.findall(r'[,;{\s]([\w$]+)=[\w$]+\(\{"(lib/[\w]+\.js)"\(', text))
    return [paths.get(name, f"?{name}") for name in names]


def check(lite: bytes, original: bytes) -> list[str]:
    """What is wrong with a lite chunk (empty: nothing): Streamlit's part unchanged, plotly's version, the trace
    modules registered and present, and far smaller. Syntax is checked by prune.mjs (and by the tests, with node)."""
    text, whole = lite.decode("utf-8", errors="replace"), original.decode("utf-8", errors="replace")
    problems = []
    start = whole.find(".moduleName=")  # plotly's UMD wrapper, just before its bundle
    end = whole.rfind("return window.Plotly=")  # and just after it
    if start < 0 or end < 0:
        return ["Streamlit 的文件里找不到 plotly.js 的开头或结尾"]
    if text[:start] != whole[:start] or not text.endswith(whole[end:]):
        problems.append("plotly.js 以外的部分（Streamlit 的组件、导入、导出）有改动")
    if f'"src/version.js"(e){{e.version=`{PLOTLY_VERSION}`}}' not in text:
        problems.append(f"不是 plotly.js {PLOTLY_VERSION}")
    if sorted(registered(text)) != sorted(TRACE_MODULES):
        problems.append(f"注册的图形类型 {registered(text)}，应为 {list(TRACE_MODULES)}")
    absent = [t for t in TRACES if f'"src/traces/{t}/index.js"' not in text]
    if absent:
        problems.append(f"缺少图形类型的模块：{absent}")
    if len(lite) > MAX_RATIO * len(original):
        problems.append(f"{len(lite)} 字节，不到原文件一半才算精简（{len(original)}）")
    return problems
