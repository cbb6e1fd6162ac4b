"""月度上报, a unit's part: its tables in editable grids (the contract's enumerations as choices, its labels as
headers), every problem on its cell, an Excel part uploaded through the import's reader, save, submit and 与上月相同.
The workflow's functions check the account themselves (access.require); this module only draws."""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.importing.validate import Problem
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.reporting import parts
from socialwork.data.reporting.records import Part, ReportingError, Round
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server.access import AccessDenied, Account, can
from socialwork.present.words.plaintext import markdown_text

ID_KEY_ENV = "SOCIALWORK_ID_KEY"
_EDITOR_PREFIX = "reporting_grid"


def _editor_key(round_id: int, unit_code: str, epoch: int, table: str) -> str:
    """A grid's widget key: a new epoch (after this session's own save, or a reload) starts fresh grids."""
    return f"{_EDITOR_PREFIX}:{round_id}:{unit_code}:{epoch}:{table}"


def _opened_key(round_id: int, unit_code: str) -> str:
    return f"reporting_opened:{round_id}:{unit_code}"


def opened(part: Part, this: Round, unit_code: str, reload: bool = False) -> dict:
    """What this session's grids started from: the part's version and rows when it was opened (kept while someone
    else saves meanwhile, so that the editor's changes stay on the page and a save names the conflict), and an epoch
    that renews the grids after this session's own save or a reload."""
    key = _opened_key(this.round_id, unit_code)
    held = st.session_state.get(key)
    if held is None or reload:
        epoch = 0 if held is None else held["epoch"] + 1
        held = {"version": part.status.version, "frames": part.frames, "epoch": epoch}
        st.session_state[key] = held
    return held


def shown(table_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A part's table as the grid shows it: enumerations by their Chinese labels."""
    frame = frame.copy()
    for column in TABLES_BY_NAME[table_name].columns:
        if column.enum is not None:
            frame[column.name] = frame[column.name].map(lambda v, e=column.enum: e.labels.get(v, v))
    return frame


def stored(table_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The grid's rows back in the contract's codes (a label the grid offered, or a code typed as such)."""
    frame = frame.copy()
    for column in TABLES_BY_NAME[table_name].columns:
        if column.enum is not None:
            codes = {label: code for code, label in column.enum.labels.items()}
            frame[column.name] = frame[column.name].map(lambda v, c=codes: c.get(v, v))
    return parts.typed(table_name, frame)


def column_config(table_name: str) -> dict:
    """Each column's header (its Chinese label), input kind and choices."""
    config = {}
    for column in TABLES_BY_NAME[table_name].columns:
        label = f"{column.label}{'' if column.nullable else ' *'}"
        if column.enum is not None:
            config[column.name] = st.column_config.SelectboxColumn(label, options=list(column.enum.labels.values()),
                                                                   required=not column.nullable)  # fmt: skip
        elif column.type == "DATE":
            config[column.name] = st.column_config.DateColumn(label, format="YYYY-MM-DD", required=not column.nullable)
        elif column.type == "BOOLEAN":
            config[column.name] = st.column_config.CheckboxColumn(label)
        elif column.type in ("INTEGER", "DOUBLE"):
            step = 1 if column.type == "INTEGER" else 0.1
            config[column.name] = st.column_config.NumberColumn(label, min_value=column.minimum,
                                                                max_value=column.maximum, step=step)  # fmt: skip
        else:
            config[column.name] = st.column_config.TextColumn(label, required=not column.nullable)
    return config


def problem_table(table_name: str, frame: pd.DataFrame, problems: list[Problem]):
    """The rows that have problems, each problem's cell marked and its message beside the row."""
    mine = [p for p in problems if p.table == table_name and p.row is not None]
    if not mine:
        return None
    rows = sorted({p.row for p in mine})
    view = shown(table_name, frame).iloc[[r - 1 for r in rows if r - 1 < len(frame)]].copy()
    view.insert(0, "问题", ["；".join(f"{_column_label(table_name, p.column)}{p.message}" for p in mine if p.row == r)
                            for r in rows if r - 1 < len(frame)])  # fmt: skip
    view.index = [f"第{r}行" for r in rows if r - 1 < len(frame)]
    marked = {(f"第{p.row}行", p.column) for p in mine if p.column}
    styles = pd.DataFrame("", index=view.index, columns=view.columns)
    for row, column in marked:
        if row in styles.index and column in styles.columns:
            styles.loc[row, column] = "background-color: #f8d7da; color: #721c24; font-weight: bold"
    table = TABLES_BY_NAME[table_name]
    wrong = [c for c in dict.fromkeys(p.column for p in mine if p.column) if c in view.columns]
    first = ["问题", *[k for k in table.key if k not in wrong], *wrong]  # the marked cells in sight, by the row's id
    view = view[first + [c for c in view.columns if c not in first]]
    styles = styles[view.columns]
    labels = {c.name: c.label for c in table.columns}
    return view.rename(columns=labels).style.apply(lambda _: styles.rename(columns=labels), axis=None)


def _column_label(table_name: str, column: str | None) -> str:
    return f"“{TABLES_BY_NAME[table_name].column(column).label}”" if column else ""


def part_editor(flow: Reporting, account: Account, this: Round, unit_code: str) -> None:
    """A unit's part: state, the reviewer's reason, the grids, problems, and the actions the state allows."""
    try:
        part = flow.part(account, this.round_id, unit_code)
    except (AccessDenied, ReportingError) as err:
        st.error(str(err))
        return
    status = part.status
    _state_line(this, status)
    may_write = can(account, "part_write", unit_code)  # a 审核员 reads a part; the functions refuse a write anyway
    editable = may_write and this.is_open and status.state in ("not_started", "draft", "returned")
    held = opened(part, this, unit_code, reload=not editable)
    if editable and held["version"] != status.version:
        when = (status.updated_at or "")[:16].replace("T", " ")
        who = markdown_text(status.updated_by or "")
        st.warning(f"{who} 已于 {when} 保存了本单位的新版本（版本 {status.version}）。"
                   "您页面上的修改尚未保存，保存时会提示冲突。")  # fmt: skip
        if st.button("放弃我的修改，载入最新版本", key=f"reload:{unit_code}"):
            opened(part, this, unit_code, reload=True)
            st.rerun()
    start = held["frames"]
    tables = [t for t in TABLES if len(part.base_frames[t.name]) or len(start[t.name])]
    grids = {}
    tabs = st.tabs([f"{t.label}（{len(start[t.name])}）" for t in tables]) if tables else []
    for tab, table in zip(tabs, tables, strict=True):
        with tab:
            key = _editor_key(this.round_id, unit_code, held["epoch"], table.name)
            grids[table.name] = st.data_editor(
                shown(table.name, start[table.name]), key=key,
                num_rows="dynamic" if editable else "fixed", disabled=not editable,
                column_config=column_config(table.name), hide_index=True, width="stretch",
            )  # fmt: skip
    if not tables:
        st.info("本单位在上期数据中没有任何行；可上传本单位的 Excel 数据。")
    frames = {t.name: stored(t.name, grids[t.name]) if t.name in grids else start[t.name] for t in TABLES}
    try:
        problems = flow.check(account, this.round_id, unit_code, frames)
    except ReportingError:  # a county's whole month at the city: checked when it was submitted, never edited there
        problems = []
    _problems(frames, problems)
    st.download_button("下载本单位数据（XLSX）", lambda: workbook_bytes(frames),
                       file_name=f"{this.as_of}-{unit_code}-上报数据.xlsx", on_click="ignore",
                       icon=":material/download:")  # fmt: skip
    if editable:
        _actions(flow, account, this, unit_code, part, held, frames, problems)


def _state_line(this: Round, status) -> None:
    line = f"**{markdown_text(status.unit.name)}**：{status.label}"
    if status.updated_at:
        line += f" · 最近修改 {status.updated_at[:16].replace('T', ' ')}（{markdown_text(status.updated_by or '')}）"
    st.markdown(line + f" · 截止 {this.deadline}")
    if status.state == "returned" and status.return_reason:
        st.warning(f"审核员退回原因：{markdown_text(status.return_reason)}")
        st.caption("请按退回原因修改后重新提交；本月无变化也可点击“与上月相同，一键提交”。")
    if status.state == "submitted":
        st.info("已提交，等待审核员审核；如需修改，请联系审核员退回。")
    if status.state == "approved":
        st.success("已通过审核。")


def _problems(frames, problems: list[Problem]) -> None:
    if not problems:
        st.success("检查通过：本单位数据符合填报要求。")
        return
    st.error(f"有 {len(problems)} 处问题，修改后才能提交（草稿可以先保存）：")
    whole = [p for p in problems if p.row is None]
    if whole:
        st.text("\n".join(f"· {p}" for p in whole))
    for table in TABLES:
        view = problem_table(table.name, frames[table.name], problems)
        if view is not None:
            st.caption(f"表“{table.label}”中有问题的行（问题单元格已标红）")
            st.dataframe(view, width="stretch")


def _actions(flow, account, this, unit_code, part, held, frames, problems) -> None:
    version = held["version"]  # the version the grids started from: a save made since refuses ours, by name
    left, middle, right = st.columns(3)
    if left.button("保存草稿", icon=":material/save:", key=f"save:{unit_code}"):
        _act(lambda: flow.save(account, this.round_id, unit_code, frames, version), "已保存草稿", this, unit_code)
    if middle.button("保存并提交", type="primary", icon=":material/send:", key=f"submit:{unit_code}",
                     disabled=bool(problems)):  # fmt: skip

        def save_and_submit():
            saved = version
            if not parts.same_rows(frames, held["frames"]) or not part.status.edited:
                saved = flow.save(account, this.round_id, unit_code, frames, version).version
            return flow.submit(account, this.round_id, unit_code, saved)

        _act(save_and_submit, "已提交，等待审核", this, unit_code)
    if right.button("与上月相同，一键提交", icon=":material/done_all:", key=f"same:{unit_code}"):
        _act(lambda: flow.submit_same_as_base(account, this.round_id, unit_code), "已按上月数据提交", this, unit_code)
    _upload(flow, account, this, unit_code, held, frames)


def _act(step, done: str, this: Round, unit_code: str) -> None:
    """Run a workflow step; on success renew the grids from what is stored, on a refusal keep them as they are."""
    try:
        step()
    except (ReportingError, AccessDenied) as err:  # SaveConflict too: the grids keep the editor's rows
        st.error(str(err))
        return
    st.session_state.pop(_opened_key(this.round_id, unit_code), None)
    st.toast(done)
    st.rerun()


def _upload(flow, account, this, unit_code, held, frames) -> None:
    with st.expander("上传本单位的 Excel 数据（与导入模板相同的工作表，只含本单位的行）"):
        upload = st.file_uploader("选择 XLSX 文件", type=["xlsx"], key=f"part_upload:{unit_code}")
        if upload is None:
            return
        given, problems = parts.read_excel_part(upload.getvalue(), upload.name, this.as_of, os.environ.get(ID_KEY_ENV))
        if problems:
            st.error(f"文件中有 {len(problems)} 个问题，未保存：")
            st.text("\n".join(f"· {p}" for p in problems[:100]))
            return
        names = "、".join(TABLES_BY_NAME[n].label for n in given)
        st.caption(f"读到的工作表：{names or '无'}；未包含的表保持现有数据。")
        if st.button("用上传的数据保存草稿", key=f"upload_save:{unit_code}"):
            _act(lambda: flow.save(account, this.round_id, unit_code, {**frames, **given}, held["version"]),
                 "已用上传的数据保存草稿", this, unit_code)  # fmt: skip
