"""`bench --reporting` on a tiny county: the round runs end to end and writes its section of docs/performance.md."""

from __future__ import annotations

from socialwork.bench import reporting_round, sections
from socialwork.bench.synthetic import Scale
from socialwork.cli import main

TINY_ROUND = Scale("reporting_tiny", 3, 12, 60, 2)


def test_the_reporting_round_benchmark_runs_on_a_tiny_county_and_writes_its_section(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(reporting_round, "SCALE", TINY_ROUND)
    out = tmp_path / "performance.md"
    kept = "<!-- bench:import -->\n## Import\nkept\n<!-- /bench:import -->\n"
    out.write_text(f"# Performance\n\n{kept}", encoding="utf-8")
    assert main(["bench", "--reporting", "--repeats", "2", "--data-root", str(tmp_path / "bench"),
                 "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "| the whole round, every step above |" in printed and "publication" in printed
    _, found = sections.split(out.read_text(encoding="utf-8"))
    assert found["import"] == "## Import\nkept\n"
    body = found["reporting"]
    assert body.startswith("## Reporting round (`python -m socialwork bench --reporting`)")
    assert "a round of 3 townships and the county office" in body and "2 repeats" in body
    for _, label in reporting_round.STEPS:
        assert f"| {label} |" in body
