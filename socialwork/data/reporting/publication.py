"""Publishing a round: the month assembled from the approved parts (the others carried forward from the base month,
or publishing refused), checked as an import is, and written by the import's own atomic store write; and, for the
pages and documents, how a published month was assembled. `flow` is the round's rounds.Reporting (not imported:
rounds.py calls here)."""

from __future__ import annotations

import hashlib
import logging
from datetime import date

import sqlalchemy as sa

from socialwork.data.contract.reporting_tables import SEPARATOR
from socialwork.data.contract.tables import TABLES
from socialwork.data.importing import importer
from socialwork.data.importing.validate import check_given
from socialwork.data.reporting import parts, records
from socialwork.data.reporting.records import Assembly, Published, ReportingError
from socialwork.data.server import access, audit
from socialwork.data.server.access import Account
from socialwork.data.server.serverdb import REPORTING_ROUNDS, ROUND_PARTS
from socialwork.data.storage import checksums, layout, store

log = logging.getLogger(__name__)


def publish(flow, account: Account, round_id: int, carry_forward: bool, replace: bool = False) -> Published:
    """Write the month: approved parts as reported, every other part as its base month's rows if `carry_forward`
    (named in the month's status), else refused. Checked as an import is; one atomic store write."""
    access.require(account, "part_review")
    this = flow._open(round_id)
    if layout.is_demo(flow.data):
        raise ReportingError(f"内置演示数据目录不能发布：发布会把 {this.as_of} 写入快照并改变演示数据。"
                             "在本县自己的数据目录中，发布会按上面的选择写入该月数据")  # fmt: skip
    # One write transaction from the board's reading to the round's marking, holding the round and its parts: no
    # save, return or approval changes a part meanwhile (each re-checks the round's state under its own lock), and
    # a second publisher waits and finds it published. The store is written inside it; killed there, the
    # transaction goes with the process and the round stays open.
    with flow._writing() as con:
        hold_open(con, round_id)
        board = flow.board(round_id)
        waiting = [s for s in board if s.state != "approved"]
        if waiting and not carry_forward:
            names = "、".join(f"{s.unit.name}（{s.label}）" for s in waiting)
            raise ReportingError(f"还有 {len(waiting)} 个单位未通过审核：{names}。请审核，或选择“沿用上月数据发布”")
        units = flow.units()
        given = {}
        for status in board:
            if status.state == "approved" and status.edited:
                given[status.unit.code] = flow.part(account, round_id, status.unit.code).frames
        month = parts.assemble(flow._base_month(this), given, units)
        problems = check_given(month)
        if problems:
            raise ReportingError("汇总后的数据未通过检查，未发布：\n" + "\n".join(map(str, problems[:30])))
        exists = this.as_of in flow._dates()
        checked = importer.CheckedImport(this.as_of, month, [], exists, this.base_date, {}, 0, 0, [])
        if exists and not replace and _written_whole(flow, this.as_of, month):
            # A publication killed after its store write and before the round was marked: the month there is this very
            # month, so finishing the record is all that is left (not a "replace?" question about its own data).
            log.warning("round %s: %s is already in the store as assembled; recording its publication", round_id,
                        this.as_of)  # fmt: skip
            note = f"{this.as_of} 的数据已由上次中断的发布完整写入，本次补记发布"
            result = importer.ImportResult(this.as_of, checked.rows, this.base_date, {}, 0, 0, False, [note])
        else:
            try:
                result = importer.write_checked(checked, flow.data, replace)
            except importer.ImportFailed as err:
                raise ReportingError("；".join(map(str, err.problems))) from err
        carried = tuple(s.unit.code for s in waiting)
        con.execute(
            REPORTING_ROUNDS.update()
            .where(REPORTING_ROUNDS.c.round_id == round_id)
            .values(
                state="published",
                published_at=flow._stamp(),
                published_by=account.username,
                carried_units=SEPARATOR.join(carried) or None,
                unit_count=len(board),
                published_files=written_files(flow.data, this.as_of),
            )
        )
        for status in waiting:
            flow._event(con, round_id, status.unit.code, account.username, "carried", f"状态：{status.label}")
        detail = Assembly(this.as_of, len(board), tuple(s.unit.name for s in waiting)).text()
        flow._event(con, round_id, None, account.username, "published", detail)
        audit.record_in(con, flow._stamp(), account.username, "import", f"{this.as_of}（月度上报发布）")
    log.info(
        "published reporting round %s for %s: %d units, %d carried", round_id, this.as_of, len(board), len(carried)
    )
    return Published(this.as_of, result.rows, tuple(s.unit.name for s in waiting), result)


def hold_open(con, round_id: int) -> None:
    """Lock the round's row and its parts' rows for this write transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE
    holds the whole file) and refuse a round published meanwhile."""
    held = sa.select(REPORTING_ROUNDS.c.state, REPORTING_ROUNDS.c.published_at).where(
        REPORTING_ROUNDS.c.round_id == round_id
    )
    row = con.execute(held.with_for_update(key_share=True)).mappings().first()
    parts_of = sa.select(ROUND_PARTS.c.unit_code).where(ROUND_PARTS.c.round_id == round_id)
    con.execute(parts_of.with_for_update(key_share=True)).all()
    if row is None or row["state"] != "open":
        raise ReportingError(f"该上报任务已于 {records.clock_text(row and row['published_at'])} 发布，不能再修改")


def _written_whole(flow, as_of: date, month: parts.Frames) -> bool:
    """Whether the store's month at `as_of` holds exactly the assembled month's rows."""
    written = {t.name: store.read_table(flow.data, as_of, t) for t in TABLES}
    return parts.same_rows(written, month)


def assembly(flow, as_of: date) -> Assembly | None:
    """How the published month at `as_of` was assembled, or None when it was imported whole."""
    with flow._reading() as con:
        row = (
            con.execute(
                sa.select(REPORTING_ROUNDS)
                .where((REPORTING_ROUNDS.c.as_of_date == as_of.isoformat()) & (REPORTING_ROUNDS.c.state == "published"))
                .order_by(REPORTING_ROUNDS.c.round_id.desc())
            )
            .mappings()
            .first()
        )
    if row is None:
        return None  # never published by a round
    if row["published_files"] is not None and row["published_files"] != written_files(flow.data, as_of):
        return None  # imported whole since (a city's round, of many counties' months, records no fingerprint)
    this = records.round(row)
    names = {u.code: u.name for u in flow.units()}
    return Assembly(as_of, this.unit_count or 0, tuple(names.get(c, c) for c in this.carried_units))


def written_files(data, as_of: date) -> str | None:
    """A fingerprint of the month's table files as the store holds them now (None without the month)."""
    files = store.snapshot_files(data).get(as_of)
    if not files:
        return None
    hashed = hashlib.sha256()
    for table in TABLES:
        path = files.get(table.name)
        hashed.update(f"{table.name}:{checksums.digest(path) if path and path.exists() else '-'};".encode())
    return hashed.hexdigest()
