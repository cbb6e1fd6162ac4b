"""`python -m socialwork bench --reporting`: one month's reporting round (issue 31) on a synthetic county of 24
townships of about 300 people each, timed step by step against the goal "assembled and published in ≤ 5 s".

Each repeat starts from a fresh copy of the county's store and an empty server database (SQLite beside it): the
reviewer sets the units (the 24 townships and the county office) and opens the round; every township's clerk opens
its part, adds a person, saves and submits; the county office submits 与上月相同; the reviewer opens the board with
every unit's changes (computed then, as on the page's first visit), approves every unit and publishes. The county
is drawn by the query benchmark's generator (synthetic.py) and kept under the benchmark's data folder.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from socialwork.bench import synthetic_store
from socialwork.bench.synthetic import Scale
from socialwork.data.contract.access_tables import ADMIN, REPORTER, REVIEWER
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server.access import Account
from socialwork.data.storage import store

GOAL_S = 5.0
SCALE = Scale("reporting", 24, 300, 7_200, 2)  # the round's month: the one after the store's last
REVIEWING = Account("bench-reviewer", "审核员", REVIEWER)
OFFICE = Account("bench-admin", "管理员", ADMIN)
# (key, label): the table's rows; per-unit steps are the median over the units of a repeat.
STEPS = (
    ("open", "open the round (reviewer)"),
    ("part", "open a part (per unit)"),
    ("save", "save an edited part (per unit)"),
    ("submit", "submit, checked (per unit)"),
    ("board", "board with every unit's changes (first view)"),
    ("approve", "approve (per unit)"),
    ("publish", "publish: assemble, check, write"),
    ("round", "the whole round, every step above"),
)
PER_UNIT = ("part", "save", "submit", "approve")
BEFORE = ("Before (8958bbf, the workflow's first version), the same steps on this store at load 8: submit 1–6 s per "
          "unit (about 2 s typical), the board with changes 18.8 s, publication 4.3 s, the whole round 82 s. A part's "
          "rows were typed value by value in Python, again at every check, assembly and publication, and each "
          "table's owners asked every unit in turn. Now a column is typed at once (NumPy), a typed frame is not "
          "typed again, a saved version is decoded once and the base month's owners are worked out once per unit "
          "list (socialwork/data/reporting/parts.py, units.py): the same results, value for value.")  # fmt: skip


@dataclass
class Repeat:
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def add(self, step: str, seconds: float) -> None:
        self.seconds.setdefault(step, []).append(seconds)

    def figure(self, step: str) -> float:
        values = self.seconds[step]
        return statistics.median(values) if step in PER_UNIT else sum(values)


def source_store(data_root: Path, scale: Scale = SCALE) -> Path:
    """The synthetic county, written once under data_root (again when its scale changed or writing was cut off)."""
    out = data_root / f"reporting-{scale.name}"
    if not synthetic_store.is_complete(out, scale):
        synthetic_store.write_store(out, scale)
    return out


def one_round(source: Path, work: Path, as_of: date) -> Repeat:
    """One round from a fresh copy of `source`, every step timed."""
    data = work / "data"
    shutil.copytree(source, data, ignore=shutil.ignore_patterns(synthetic_store.MARKER))
    flow = Reporting(f"sqlite:///{work / 'server.sqlite'}", data)
    units = [u for u in flow.default_units() if u.kind in ("township", "county_office")]
    flow.set_units(units, REVIEWING)
    timed = Repeat()
    started = time.perf_counter()

    def step(name: str, call, *args):
        begin = time.perf_counter()
        result = call(*args)
        timed.add(name, time.perf_counter() - begin)
        return result

    round_id = step("open", flow.open_round, REVIEWING, as_of, flow.clock().date() + timedelta(days=10)).round_id
    for unit in units:
        if unit.kind != "township":
            step("submit_same", flow.submit_same_as_base, OFFICE, round_id, unit.code)
            continue
        clerk = Account(f"bench-{unit.code}", f"{unit.name}填报员", REPORTER, unit.code)
        part = step("part", flow.part, clerk, round_id, unit.code)
        people = part.frames["people"]
        added = people.iloc[[0]].copy()
        added["person_id"] = f"bench-{unit.code}"
        edited = {**part.frames, "people": pd.concat([people, added], ignore_index=True)}
        saved = step("save", flow.save, clerk, round_id, unit.code, edited, part.status.version)
        step("submit", flow.submit, clerk, round_id, unit.code, saved.version)

    def board() -> None:
        for status in flow.board(round_id):
            flow.changes(REVIEWING, round_id, status.unit.code)

    step("board", board)
    for unit in units:
        step("approve", flow.approve, REVIEWING, round_id, unit.code)
    published = step("publish", flow.publish, REVIEWING, round_id, False)
    timed.add("round", time.perf_counter() - started)
    assert published.carried == () and as_of in store.snapshot_dates(data)
    return timed


def run(data_root: Path, repeats: int = 3, scale: Scale | None = None) -> dict:
    """Every repeat's figures, with the store's size and the machine's load."""
    scale = scale or SCALE
    source = source_store(data_root, scale)
    last = store.snapshot_dates(source)[-1]
    as_of = ((last + timedelta(days=1)).replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    people = len(store.read_table(source, last, _people()))
    load_before = os.getloadavg()
    rounds: list[Repeat] = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="socialwork-bench-round-") as work:
            rounds.append(one_round(source, Path(work), as_of))
    return {
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "townships": scale.townships,
        "people": people,
        "repeats": repeats,
        "load": [load_before, os.getloadavg()],
        "figures": {key: [r.figure(key) for r in rounds] for key, _ in STEPS},
    }


def _people():
    from socialwork.data.contract.tables import TABLES_BY_NAME

    return TABLES_BY_NAME["people"]


def medians(result: dict) -> dict[str, float]:
    return {key: statistics.median(values) for key, values in result["figures"].items()}


def verdict(result: dict) -> str:
    publish, whole = medians(result)["publish"], medians(result)["round"]
    met = "met" if publish <= GOAL_S else "NOT met"
    return (
        f"Goal “assembled and published in ≤ {GOAL_S:g} s on this 2-core machine”: publication {publish:.2f} s "
        f"({met}); the whole round's work, every clerk's and the reviewer's steps one after another, "
        f"{whole:.1f} s ({'within' if whole <= GOAL_S else 'beyond'} {GOAL_S:g} s)."
    )


def table(result: dict) -> str:
    shown = medians(result)
    lines = ["| step | median | each repeat |", "|---|---:|---|"]
    for key, label in STEPS:
        each = " / ".join(f"{v:.2f}" for v in result["figures"][key])
        lines.append(f"| {label} | {shown[key]:.2f} s | {each} |")
    return "\n".join(lines)


def markdown(result: dict, command: str) -> str:
    (one, five, _), (one_after, five_after, _) = result["load"]
    return "\n".join([
        f"## Reporting round (`{command}`)",
        "",
        f"Measured {result['measured']}: a round of {result['townships']} townships and the county office on a "
        f"synthetic county of {result['people']:,} people (about {result['people'] // result['townships']} per "
        f"township), {result['repeats']} repeats, each from a fresh copy of the store and an empty SQLite server "
        "database. Every township's clerk opens its part, adds a person, saves and submits (checked against the "
        "whole month, as the import checks it); the county office submits 与上月相同; the reviewer opens the board "
        "with every unit's changes in the plan's terms (computed on that first view, cached per saved version after), "
        "approves all and publishes (assembled from the approved parts, checked, written by the import's atomic "
        "store write). Per-unit steps: the median over the units of a repeat; the table: the median of the repeats.",
        "",
        table(result),
        "",
        verdict(result),
        "",
        BEFORE,
        "",
        f"Load average (1, 5 min) before {one:.1f}, {five:.1f}; after {one_after:.1f}, {five_after:.1f}: the "
        "machine is shared, so a loaded run's figures are upper bounds.",
        "",
    ])  # fmt: skip
