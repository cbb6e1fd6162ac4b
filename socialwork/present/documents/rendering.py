"""Chart images and PDFs through Debian's Chromium, offline (no file is fetched from the internet)."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import plotly.graph_objects as go

_lock = threading.Lock()
_server_started = False
IMAGE_WIDTH, IMAGE_HEIGHT = 1200, 600  # drawn at twice the pixels (scale=2): crisp, and text stays large


class RenderError(Exception):
    """Rendering needs Chromium; worded in Chinese."""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not path:
        raise RenderError("导出图片和 PDF 需要 Chromium 浏览器：请安装（Debian：apt-get install chromium）")
    return path


def _ensure_server() -> None:
    """One kaleido server per process: an image then takes a fraction of a second instead of seconds."""
    global _server_started
    import kaleido

    with _lock:
        if not _server_started:
            chromium()
            kaleido.start_sync_server(mathjax=False)  # its default page would fetch MathJax from the internet
            atexit.register(kaleido.stop_sync_server)
            _server_started = True


def figure_png(figure: go.Figure, width: int = IMAGE_WIDTH, height: int = IMAGE_HEIGHT) -> bytes:
    """The chart as a PNG, fonts as in the dashboard (the CJK font comes from the system)."""
    _ensure_server()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")  # plotly's, harmless
        return figure.to_image(format="png", width=width, height=height, scale=2)


def figure_svg(figure: go.Figure, width: int = IMAGE_WIDTH, height: int | None = None) -> bytes:
    """The chart as SVG (vector: sharp in print, its text searchable once printed to PDF)."""
    _ensure_server()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")  # plotly's, harmless
        return figure.to_image(format="svg", width=width, height=height or figure.layout.height or IMAGE_HEIGHT)


def html_to_pdf(html: str) -> bytes:
    """Print an HTML page to PDF with headless Chromium (fonts embedded)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
            f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={target}", source.as_uri(),
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, timeout=120, check=False)
        if not target.exists():
            raise RenderError(f"Chromium 未能生成 PDF：{completed.stderr.decode(errors='replace')[-300:]}")
        return target.read_bytes()
