"""`python -m socialwork verify`: every snapshot of a store checked against the checksums recorded when it was
written (checksums.py for a folder, the manifests' for a bucket), each damaged or missing file named. In a store of
many counties, every county's snapshots and the combined months (combined.py: readers then read the county folders
instead, and `combine` writes them again).

A snapshot written before checksums existed is reported as such, not as damage; `--record` records them for a local
store (what is there now is taken as intact, so check the figures first).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from socialwork.data.contract.tables import DERIVED_TABLES, TABLES
from socialwork.data.storage import bucket_counties, checksums, combined, objectstore
from socialwork.data.storage.layout import (
    SNAPSHOT_FOLDER_NAME,
    StoreError,
    county_folders,
    county_store,
    is_multi_county,
)
from socialwork.data.storage.location import Bucket, Location

EXPECTED_FILES = [f"{t.name}.parquet" for t in TABLES + DERIVED_TABLES]
COMBINED = "合并文件 "  # how a combined month is named in the report, before its date
REBUILD = "（合并文件可重新生成：python -m socialwork combine）"
NOT_RECORDED = "未记录校验和（由旧版本写入；可运行 verify --record 记录当前文件的校验和）"


@dataclass
class Report:
    """What verify found: every file checked, each problem as a line, snapshots without checksums."""

    snapshots: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    recorded_now: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [*self.problems, *(f"{where}：{NOT_RECORDED}" for where in self.unrecorded)]
        out += [f"{where}：已记录校验和" for where in self.recorded_now]
        verdict = f"损坏或缺失 {len(self.problems)} 个文件" if self.problems else "全部完好"
        out.append(f"共检查 {self.snapshots} 期快照、{self.files} 个文件：{verdict}")
        return out


def verify(root: Location, record: bool = False) -> Report:
    """Check every snapshot of the store (of every county in a store of many counties)."""
    report = Report()
    if isinstance(root, Bucket):
        if record:
            raise StoreError(
                "对象存储中已发布的快照不能修改；请在本地数据目录记录校验和后用 publish --replace 重新发布"
            )
        many = is_multi_county(root)
        counties = {code: county_store(root, code) for code in county_folders(root)} if many else {}
        for code, county in counties.items() or [("", root)]:  # of many counties, each county's own bucket store
            _verify_bucket(county, report, f"{code} " if code else "")
        if many:  # and the combined months (bucket_combined.py), rebuilt by `combine` when damaged
            before = len(report.problems)
            _verify_bucket(bucket_counties.combined_store(root), report, COMBINED)
            report.problems[before:] = [f"{line}{REBUILD}" for line in report.problems[before:]]
        return report
    if not root.is_dir():
        raise StoreError(f"数据目录不存在：{root}")
    folders = county_folders(root) if is_multi_county(root) else {"": root}
    for code, folder in folders.items():
        _verify_folder(folder, f"{code} " if code else "", report, record)
    if is_multi_county(root) and (root / combined.COMBINED_FOLDER).is_dir():
        before = len(report.problems)
        _verify_folder(root / combined.COMBINED_FOLDER, COMBINED, report, record)
        report.problems[before:] = [f"{line}{REBUILD}" for line in report.problems[before:]]
    return report


def _verify_folder(root: Path, prefix: str, report: Report, record: bool) -> None:
    for child in sorted(root.iterdir()):
        match = SNAPSHOT_FOLDER_NAME.match(child.name)
        if not (match and child.is_dir()):
            continue
        report.snapshots += 1
        report.files += len(EXPECTED_FILES)
        where = f"{prefix}{match.group(1)}"
        found, was_recorded = checksums.problems(child, EXPECTED_FILES)
        report.problems += [f"{where} {child / p.file}：{p.what}" for p in found]
        if not was_recorded and record and not found:
            checksums.record(child, date.fromisoformat(match.group(1)))
            report.recorded_now.append(where)
        elif not was_recorded:
            report.unrecorded.append(where)


def _verify_bucket(bucket: Bucket, report: Report, prefix: str = "") -> None:
    """Each published snapshot's objects downloaded to a temporary folder and compared with its manifest."""
    state = objectstore.published(bucket, fresh=True)
    with tempfile.TemporaryDirectory(prefix="socialwork-verify-") as temporary:
        for as_of, manifest in state.snapshots.items():
            report.snapshots += 1
            if not manifest.checksums:
                report.unrecorded.append(f"{prefix}{as_of}（{manifest.key}）")
            for name, relative in manifest.files.items():
                report.files += 1
                problem = _object_problem(bucket, relative, manifest.checksums.get(name), Path(temporary))
                if problem:
                    report.problems.append(f"{prefix}{as_of} {bucket}/{relative}：{problem}")


def _object_problem(bucket: Bucket, relative: str, expected: dict | None, folder: Path) -> str | None:
    target = folder / "object"
    try:
        objectstore.download(bucket, relative, target)
    except StoreError:
        return "缺失（无法下载）"
    try:
        if expected is not None and not checksums.matches(target, expected):
            return "损坏（校验和不符）"
        return None
    finally:
        target.unlink(missing_ok=True)
