"""One level up (issue 31, part 5): each county of a city submits its published month to the city's store (a store of
many counties), and the city's 审核员 returns, approves and publishes it, with the county level's own workflow.

In the city's server database the units are the counties of its divisions table (kind `county`, code the county's
6 digits); a county's account there is a 填报员 whose unit is that code. A county's part is its whole month, read from
the county's own store once the county has published it (`submit_county_month`): it is not edited at the city.
Returning and approving are the county level's own `return_part` and `approve`. Publishing writes each approved
county's month into its county folder of the city's store by the import's own write (`importer.import_target`,
`importer.write_checked`: atomic per county); a county not approved is not carried forward but missing that month,
as a store of many counties already names a county without the month (缺 N 个县数据).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from socialwork.data.contract.access_tables import ADMIN
from socialwork.data.contract.reporting_tables import SEPARATOR
from socialwork.data.contract.tables import TABLES
from socialwork.data.importing import importer
from socialwork.data.importing.import_checks import townships_of_another_county
from socialwork.data.importing.validate import check_given
from socialwork.data.reporting import parts, publication, records
from socialwork.data.reporting.records import Assembly, Part, PartStatus, Published, ReportingError, Round
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.reporting.units import Unit, checked_units
from socialwork.data.server import access, audit
from socialwork.data.server.access import Account
from socialwork.data.server.serverdb import REPORTING_ROUNDS, ROUND_PARTS
from socialwork.data.storage import divisions, identity, layout, store
from socialwork.data.storage.location import Location

log = logging.getLogger(__name__)

NOT_EDITED_HERE = ("各县报送的是本县已发布的整月数据，不在市级页面修改：请在本县完成该月上报并发布后报送"
                   "（submit_county_month），需要修改时由市级审核员退回后重新报送")  # fmt: skip


def workflow(url: str, data: Location, clock: Callable[[], datetime] = audit.now_in_beijing) -> Reporting:
    """The reporting workflow of a store: a city's (its counties report) for a store of many counties, else a
    county's (its townships and departments report)."""
    if layout.is_multi_county(data):
        return CityReporting(url, data, clock)
    return Reporting(url, data, clock)


COUNTIES_REMINDER = records.ReminderWording(
    "报送", "县", "报送", "请在本县完成该月上报并发布后，登录市级看板“月度上报”报送。",
    "请按退回原因在本县修改并重新发布后再次报送。",
)  # fmt: skip


class CountyAssembly(Assembly):
    """How a city's month was assembled: the counties that reported it, and those missing it (not carried forward)."""

    def text(self) -> str:
        line = f"本月数据由各县报送汇总：已报 {self.reported} / {self.unit_count} 个县"
        if self.carried:
            line += f" · 缺报 {len(self.carried)} 个县（{'、'.join(self.carried)}）"
        return line


class CityReporting(Reporting):
    """The reporting workflow of a store of many counties (`data`): its units are its counties."""

    def __init__(self, url: str, data: Path, clock: Callable[[], datetime] = audit.now_in_beijing) -> None:
        if not layout.is_multi_county(data):
            raise ReportingError(f"{data} 不是多县数据目录（没有行政区划表）：县级上报请用本县的上报任务")
        super().__init__(url, data, clock)

    # ------------------------------------------------------------ units: the counties

    def default_units(self) -> list[Unit]:
        """Every county of the divisions table, in code order."""
        counties = divisions.counties(divisions.read(self.data)).sort_values("division_code")
        rows = counties[["division_code", "division_name"]].itertuples(index=False)
        return [Unit(str(code), str(name), "county", sort_order=i) for i, (code, name) in enumerate(rows, start=1)]

    def _checked_units(self, units: list[Unit]) -> list[Unit]:
        counties = set(divisions.counties(divisions.read(self.data))["division_code"].astype(str))
        return checked_units(units, county_codes=counties)

    # ------------------------------------------------------------ the round

    def open_round(self, account: Account, as_of: date, deadline: date) -> Round:
        """Open the month's round for every county (a county may have no earlier month in the city's store)."""
        access.require(account, "part_review")
        if deadline < self.clock().date():
            raise ReportingError(f"截止日期 {deadline} 已过，请选择今天或以后的日期")
        units = self.units()
        if not units:
            raise ReportingError("还没有设置上报单位：请先设置本市的各县（命令行 units --default）")
        base = max((d for d in self._dates() if d < as_of), default=None)
        with self._writing() as con:
            if con.execute(sa.select(REPORTING_ROUNDS.c.as_of_date).where(REPORTING_ROUNDS.c.state == "open")).first():
                raise ReportingError("已有进行中的上报任务：一次只能进行一个月的上报，请先发布它")
            values = {"as_of_date": as_of.isoformat(), "deadline": deadline.isoformat(), "state": "open",
                      "base_date": base.isoformat() if base else None, "opened_at": self._stamp(),
                      "opened_by": account.username}  # fmt: skip
            insert = REPORTING_ROUNDS.insert().values(**values).returning(REPORTING_ROUNDS.c.round_id)
            round_id = con.execute(insert).scalar_one()
            con.execute(
                ROUND_PARTS.insert(),
                [{"round_id": round_id, "unit_code": u.code, "state": "not_started", "version": 0} for u in units],
            )
            self._event(con, round_id, None, account.username, "opened", f"数据日期 {as_of}，截止 {deadline}")
        return self.round(round_id)

    # ------------------------------------------------------------ a county's part: its published month

    def submit_county_month(self, account: Account, round_id: int, county_store: Location) -> PartStatus:
        """Submit the county's month of the round, as published in the county's own store, for the city's review.
        A county's 填报员 submits its own county; a 管理员 (or the command line) the county the store is of."""
        try:
            county = identity.load(county_store)
            published = store.snapshot_dates(county_store) if layout.exists(county_store) else []
        except layout.StoreError as err:
            raise ReportingError(f"无法读取本县数据目录 {county_store}：{err}") from err
        unit_code = account.unit_code or (county.county_code if account.role == ADMIN else "")
        access.require(account, "part_write", unit_code)
        this = self._open(round_id)
        if county.county_code != unit_code:
            raise ReportingError(f"数据目录 {county_store} 是{county.county_name}（{county.county_code}）的数据，"
                                 f"不是本账号所属县（{unit_code}）的")  # fmt: skip
        if this.as_of not in published:
            raise ReportingError(f"{county.county_name}尚未发布 {this.as_of} 的数据：请先在本县完成该月上报并发布，"
                                 "再报送市里")  # fmt: skip
        frames = {t.name: parts.typed(t.name, store.read_table(county_store, this.as_of, t)) for t in TABLES}
        problems = [  # a month of the county's own store, checked again as any part is: the city stores no person
            *townships_of_another_county(frames["townships"], county, self.data),
            *map(str, parts.personal_cells(frames)),
            *map(str, check_given(frames)),
        ]
        if problems:
            raise ReportingError(
                f"{county.county_name} {this.as_of} 的数据未通过检查，未报送：\n" + "\n".join(problems[:30])
            )
        text = parts.encode(frames)
        with self._writing() as con:
            row = self._part_row(con, round_id, unit_code)
            records.can_edit(row)
            con.execute(
                ROUND_PARTS.update()
                .where((ROUND_PARTS.c.round_id == round_id) & (ROUND_PARTS.c.unit_code == unit_code))
                .values(state="submitted", version=row["version"] + 1, rows_json=text, updated_at=self._stamp(),
                        updated_by=account.username, submitted_at=self._stamp())
            )  # fmt: skip
            detail = f"{county.county_name} {this.as_of} 已发布数据：社会工作人才 {len(frames['people'])} 人"
            self._event(con, round_id, unit_code, account.username, "submitted", detail)
        log.info("county %s submitted %s to round %s of %s", unit_code, this.as_of, round_id, self.data)
        return self.status(round_id, unit_code)

    def overdue_reminder(self, round_id: int) -> str:
        """Copyable reminder text for the city's work group: the counties past the deadline, and those returned."""
        return records.reminder_text(self.round(round_id), self.board(round_id), COUNTIES_REMINDER)

    def part(self, account: Account, round_id: int, unit_code: str) -> Part:
        """The county's submitted month (or, before it submits, its latest earlier month in the city's store)."""
        access.require(account, "part_read", unit_code)
        with self._reading() as con:
            this = self._round(con, round_id)
            row = self._part_row(con, round_id, unit_code)
        base = self._county_month(unit_code, this.as_of)[1]
        frames = parts.decode(row["rows_json"]) if row["rows_json"] else base
        unit = next((u for u in self.units() if u.code == unit_code), records.gone(unit_code))
        return Part(records.status(unit, row, this, self.clock().date()), frames, base)

    def save(self, account: Account, round_id: int, unit_code: str, frames, version: int) -> PartStatus:
        access.require(account, "part_write", unit_code)
        raise ReportingError(NOT_EDITED_HERE)

    def submit(self, account: Account, round_id: int, unit_code: str, version: int) -> PartStatus:
        access.require(account, "part_write", unit_code)
        raise ReportingError(NOT_EDITED_HERE)

    def submit_same_as_base(self, account: Account, round_id: int, unit_code: str) -> PartStatus:
        access.require(account, "part_write", unit_code)
        raise ReportingError(NOT_EDITED_HERE)

    def check(self, account: Account, round_id: int, unit_code: str, frames) -> list:
        access.require(account, "part_read", unit_code)
        raise ReportingError(NOT_EDITED_HERE)

    def changes(self, account: Account, round_id: int, unit_code: str, seen: PartStatus | None = None):
        """What the county's month changes against its previous month in the city's store, in the plan's terms
        (`seen`, the board's status, is not needed here: a county's part is read whole)."""
        part = self.part(account, round_id, unit_code)
        if not part.status.edited:
            return []
        key = (self.url, round_id, unit_code, part.status.version, store.store_version(self.data))
        if key not in _CHANGES:
            as_of = self.round(round_id).as_of
            before = parts.county_figures(part.base_frames, as_of) if len(part.base_frames["townships"]) else {}
            rows = [parts.Change(f"{t.label}行数", len(part.frames[t.name]) - len(part.base_frames[t.name]))
                    for t in TABLES if len(part.frames[t.name]) != len(part.base_frames[t.name])]  # fmt: skip
            _CHANGES[key] = parts.figure_changes(before, parts.county_figures(part.frames, as_of)) + rows
        return _CHANGES[key]

    def _county_month(self, county_code: str, before: date) -> tuple[date | None, parts.Frames]:
        """A county's latest month before `before` in the city's store, typed (empty tables when it has none)."""
        folder = layout.county_folder(self.data, county_code)
        dates = [d for d in (store.snapshot_dates(folder) if folder.is_dir() else []) if d < before]
        if not dates:
            return None, {t.name: parts.typed(t.name, pd.DataFrame(columns=list(t.column_names))) for t in TABLES}
        return dates[-1], {t.name: parts.typed(t.name, store.read_table(folder, dates[-1], t)) for t in TABLES}

    def _county_has(self, county_code: str, on: date) -> bool:
        folder = layout.county_folder(self.data, county_code)
        return folder.is_dir() and on in store.snapshot_dates(folder)

    # ------------------------------------------------------------ publication

    def publish(self, account: Account, round_id: int, carry_forward: bool, replace: bool = False) -> Published:
        """Write each approved county's month into its folder of the city's store (atomic per county). The counties
        not approved are refused unless `carry_forward`: then published without them, each named as missing that
        month (no county's earlier month is copied). A county's month already in the city's store is replaced only
        with `replace`, unless it holds this very month (a publication cut off half way, finished now)."""
        access.require(account, "part_review")
        this = self._open(round_id)
        with self._writing() as con:  # held from the board's reading to the round's marking (publication.hold_open)
            publication.hold_open(con, round_id)
            return self._publish(con, account, this, carry_forward, replace)

    def _publish(self, con, account: Account, this: Round, carry_forward: bool, replace: bool) -> Published:
        round_id = this.round_id
        board = self.board(round_id)
        approved = [s for s in board if s.state == "approved"]
        missing = [s for s in board if s.state != "approved"]
        if not approved:
            raise ReportingError("还没有通过审核的县：请先审核各县报送的数据")
        if missing and not carry_forward:
            names = "、".join(f"{s.unit.name}（{s.label}）" for s in missing)
            raise ReportingError(f"还有 {len(missing)} 个县未通过审核：{names}。请审核，或选择只发布已通过的县"
                                 "（未通过的县本月缺报）")  # fmt: skip
        months = {s.unit.code: self.part(account, round_id, s.unit.code).frames for s in approved}
        written, clash = [], []
        for status in approved:
            code = status.unit.code
            if self._county_has(code, this.as_of):
                folder = layout.county_folder(self.data, code)
                on_disk = {t.name: store.read_table(folder, this.as_of, t) for t in TABLES}
                if parts.same_rows(on_disk, months[code]):
                    written.append(code)  # written by a publication cut off before the round was marked
                elif not replace:
                    clash.append(status.unit.name)
        if clash:
            raise ReportingError(f"{'、'.join(clash)}在本市数据目录中已有 {this.as_of} 的数据：如需以报送的数据覆盖，"
                                 "请确认替换后发布")  # fmt: skip
        results = []
        for status in approved:
            if status.unit.code not in written:
                results.append(self._write_county(status, this, months[status.unit.code], replace, approved))
        self._mark_published(con, account, this, board, missing)
        rows = {t.name: sum(len(m[t.name]) for m in months.values()) for t in TABLES}
        notes = [w for r in results for w in r.warnings]
        result = importer.ImportResult(this.as_of, rows, this.base_date, {}, 0, 0, any(r.replaced for r in results),
                                       notes)  # fmt: skip
        return Published(this.as_of, rows, tuple(s.unit.name for s in missing), result)

    def _write_county(self, status: PartStatus, this: Round, month: parts.Frames, replace: bool, approved: list):
        code = status.unit.code
        try:
            target = importer.import_target(self.data, code)
            exists = self._county_has(code, this.as_of)
            checked = importer.CheckedImport(this.as_of, month, [], exists, None, {}, 0, 0, [])
            return importer.write_checked(checked, target, replace)
        except (importer.ImportFailed, layout.StoreError) as err:
            done = [s.unit.name for s in approved if self._county_has(s.unit.code, this.as_of)]
            raise ReportingError(f"{status.unit.name}的数据未能写入：{err}。已写入的县：{'、'.join(done) or '无'}；"
                                 "任务仍在进行，重新发布即可完成其余各县") from err  # fmt: skip

    def _mark_published(self, con, account: Account, this: Round, board: list[PartStatus], missing: list) -> None:
        marked = con.execute(  # held since publish began (publication.hold_open); its state checked once more
            REPORTING_ROUNDS.update()
            .where((REPORTING_ROUNDS.c.round_id == this.round_id) & (REPORTING_ROUNDS.c.state == "open"))
            .values(state="published", published_at=self._stamp(), published_by=account.username,
                    carried_units=SEPARATOR.join(s.unit.code for s in missing) or None, unit_count=len(board))
        )  # fmt: skip
        if marked.rowcount != 1:
            raise ReportingError(f"{this.as_of} 的上报任务已由他人发布")
        detail = CountyAssembly(this.as_of, len(board), tuple(s.unit.name for s in missing)).text()
        self._event(con, this.round_id, None, account.username, "published", detail)
        audit.record_in(con, self._stamp(), account.username, "import", f"{this.as_of}（各县报送发布）")
        log.info("published city round %s for %s: %d counties, %d missing", this.round_id, this.as_of, len(board),
                 len(missing))  # fmt: skip

    def assembly(self, as_of: date) -> Assembly | None:
        found = super().assembly(as_of)
        return None if found is None else CountyAssembly(found.as_of, found.unit_count, found.carried)


_CHANGES: dict[tuple, list[parts.Change]] = {}
