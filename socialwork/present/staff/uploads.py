"""The import page's steps: the county's template, a preview of uploaded files, and the confirmed write.

Problems come back as lists (never raised) so the page only draws; every message is the import's Chinese one.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from socialwork.data.contract.tables import TABLES
from socialwork.data.importing.importer import (
    CheckedImport,
    ImportFailed,
    ImportResult,
    check_import,
    import_target,
    read_uploads,
    write_checked,
)
from socialwork.data.importing.workbook import template_bytes, template_name
from socialwork.data.server.access import AccessDenied, Account, require
from socialwork.data.storage import divisions, identity
from socialwork.data.storage.identity import County
from socialwork.data.storage.location import Location
from socialwork.figures import hierarchy
from socialwork.present.staff.auth import audit_log

_log = logging.getLogger(__name__)


def counties_to_import(data: Location) -> dict[str, str]:
    """A store of many counties' counties (code -> name), each imported on its own; empty for a single county's."""
    if not hierarchy.many_counties(data):
        return {}
    frame = divisions.counties(divisions.read(data))
    return dict(zip(frame["division_code"], frame["division_name"], strict=True))


def import_destination(data: Location, county_code: str) -> tuple[Location, County]:
    """Where a county's import goes in a store of many counties (its own folder), and that county."""
    target = import_target(data, county_code)
    return target, identity.load(target)


def template_download(county: County) -> tuple[bytes, str]:
    """The import template with the county's cover sheet, and its file name."""
    return template_bytes(county.county_name), template_name(county_name=county.county_name)


def preview(files: list[tuple[str, bytes]], as_of: date, data: Path) -> tuple[CheckedImport | None, list]:
    """What the uploaded files would write, checked against the store; or every problem found."""
    try:
        tables, warnings = read_uploads(files)
        checked = check_import(tables, as_of, data, warnings=warnings)
    except ImportFailed as failure:
        return None, list(failure.problems)
    return checked, list(checked.problems)


def confirm(
    checked: CheckedImport, data: Path, replace: bool, account: Account | None
) -> tuple[ImportResult | None, list]:
    """Write a previewed import for an account whose role may import (access.require, whatever the page showed),
    logged in the audit log; (None, problems) when the role or the store refuses it (e.g. another import is
    writing)."""
    try:
        require(account, "import")
    except AccessDenied as err:
        audit_log().record(account.username if account else "（未登录）", "denied", f"导入 {checked.as_of.isoformat()}")
        return None, [str(err)]
    try:
        result = write_checked(checked, data, replace)
    except ImportFailed as failure:
        return None, list(failure.problems)
    replaced = "（替换原快照）" if replace else ""
    where = Path(str(data)).name
    try:
        audit_log().record(account.username, "import", f"{result.as_of.isoformat()} 快照{replaced}（{where}）")
    except SQLAlchemyError:  # written already: the import stands, the server's log says what the audit log lacks
        _log.exception("import of %s by %s not in the audit log", result.as_of, account.username)
    return result, []


def import_preview_table(checked: CheckedImport) -> pd.DataFrame:
    """Rows per table in the upload against the latest other snapshot."""
    rows = []
    for table in TABLES:
        now, before = checked.rows.get(table.name, 0), checked.previous_rows.get(table.name)
        rows.append({"数据表": table.label, "本次行数": now, "上一期行数": before,
                     "变化": None if before is None else now - before})  # fmt: skip
    return pd.DataFrame(rows)
