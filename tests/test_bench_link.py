"""bench --link's own parts, fast: the counting relay, the tables and the goals (no browser)."""

from __future__ import annotations

import socket
import threading

from socialwork.bench import link
from socialwork.bench.wire import Relay


def _sample(mb: float, s: float) -> dict[str, float]:
    return {"first_bytes": mb * 1e6, "first_ms": s * 1000, "return_bytes": 2000, "return_ms": 1500,
            "first_ws_bytes": 9000, "rerun_ws_bytes": 8000, "plotly_bytes": 1.06e6}  # fmt: skip


def _result() -> dict:
    samples = {
        page: {case.name: {mode: [_sample(7.9 if mode == "baseline" else 2.2, s) for s in (4, 6, 5)]
                           for mode in link.MODES} for case in link.CASES}
        for page in ("overview", "targets")
    }  # fmt: skip
    return {"measured_at": "2026-12-06 16:00", "machine": "x86_64, 2 cores", "browser": "Chromium", "repeats": 3,
            "load": [[1, 1, 1], [2, 2, 2]], "samples": samples}  # fmt: skip


def test_the_tables_show_medians_per_page_and_way_of_serving():
    table = link.case_table(_result(), link.CASES[1].name)
    assert "| overview | 7.90 | 5.0 | 2 | 1.5 | 2.20 | 5.0 | 2 | 1.5 | 2.20 | 5.0 | 2 | 1.5 |" in table
    assert "| targets | 9 | 8.0 | 9 | 8.0 | 9 | 8.0 | yes |" in link.socket_table(_result())


def test_the_goals_are_judged_on_the_slowest_page():
    lines = link.goal_lines(_result())
    assert "4 Mbps, serve (slowest page): first bytes ≤ 2.5 MB: 2.20 ✓; first ms ≤ 6 s: 5.00 ✓" in lines[1]
    assert "first bytes ≤ 2.5 MB: 7.90 ✗" in lines[0]
    assert "## On a county's link" in link.markdown(_result())


def test_the_relay_passes_bytes_on_and_counts_the_websocket_apart():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:
        for _ in range(2):
            conn, _ = server.accept()
            with conn:
                request = conn.recv(1000)
                conn.sendall(b"x" * (10 if b"/_stcore/stream" in request else 100))

    threading.Thread(target=answer, daemon=True).start()
    with Relay(port) as relay:
        for path in ("/static/a.js", "/_stcore/stream"):
            with socket.create_connection(("127.0.0.1", relay.port)) as client:
                client.sendall(f"GET {path} HTTP/1.1\r\n\r\n".encode())
                received = b""
                while chunk := client.recv(1000):
                    received += chunk
            assert len(received) == (10 if "stream" in path else 100)
    assert relay.down == {"http": 100, "websocket": 10}
    server.close()
