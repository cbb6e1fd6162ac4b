"""月度上报 for the county's 审核员: the board of every unit with its state and what its part changes in the plan's
terms, a unit's part with its history, return with a reason or approve, publishing with its consequence stated
before the confirm button, the overdue reminder, the units and a new round. The workflow's functions check the
account themselves (access.require); this module only draws."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from socialwork.data.contract.access_tables import ADMIN, REPORTER
from socialwork.data.contract.reporting_tables import PART_STATE, ROUND_EVENT
from socialwork.data.reporting import city
from socialwork.data.reporting.records import PartStatus, ReportingError, Round
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.reporting.units import UnitError, read_units_sheet, units_sheet_bytes
from socialwork.data.server import serverdb
from socialwork.data.server.access import AccessDenied, Account
from socialwork.present.staff import auth, reporting_part
from socialwork.present.words.plaintext import markdown_text

MAX_CHANGES_SHOWN = 4


def progress_line(this: Round, board: list[PartStatus]) -> str:
    """进行中: 已提交 20 / 30，已通过 17，已退回 1，逾期 3，截止 2026-12-04."""
    submitted = sum(s.state in ("submitted", "approved") for s in board)
    approved = sum(s.state == "approved" for s in board)
    returned = sum(s.state == "returned" for s in board)
    late = sum(s.overdue for s in board)
    return (f"{this.as_of.year}年{this.as_of.month}月上报进行中：已提交 {submitted} / {len(board)}，已通过 {approved}，"
            f"已退回 {returned}，逾期 {late}，截止 {this.deadline}")  # fmt: skip


def board_table(flow: Reporting, account: Account, this: Round, board: list[PartStatus]) -> pd.DataFrame:
    """One row per unit: its state, when it last changed, and what its part changes against last month."""
    rows = []
    for status in board:
        changes = flow.changes(account, this.round_id, status.unit.code, status) if status.edited else []
        shown = "，".join(c.text() for c in changes[:MAX_CHANGES_SHOWN])
        if len(changes) > MAX_CHANGES_SHOWN:
            shown += f" 等 {len(changes)} 项"
        rows.append({
            "单位": status.unit.name, "类型": status.unit.kind_label, "状态": status.label,
            "最近更新": (status.updated_at or "")[:16].replace("T", " "),
            "本月变化（对比上月）": shown or ("与上月相同" if status.state in ("submitted", "approved") else ""),
        })  # fmt: skip
    return pd.DataFrame(rows)


def review_board(flow: Reporting, account: Account, this: Round) -> None:
    board = flow.board(this.round_id)
    st.markdown(f"**{progress_line(this, board)}**")
    counts = {label: 0 for label in [*PART_STATE.labels.values(), "逾期"]}
    for status in board:
        counts[status.label] += 1
    # One line, not six metric columns: on a projector's 1024 px or a phone six columns stack into a tall list.
    st.markdown(" · ".join(f"{label} **{count}**" for label, count in counts.items()))
    widths = {"单位": "small", "类型": "small", "状态": "small", "最近更新": "small", "本月变化（对比上月）": "large"}
    st.dataframe(board_table(flow, account, this, board), hide_index=True, width="stretch",
                 height=min(36 * (len(board) + 1), 720),
                 column_config={n: st.column_config.TextColumn(n, width=w) for n, w in widths.items()})  # fmt: skip
    reminder = flow.overdue_reminder(this.round_id)
    if reminder:
        st.caption("催报提醒（可复制到工作群）")
        st.code(reminder, language=None, wrap_lines=True)
    _review_unit(flow, account, this, board)
    _publish(flow, account, this, board)


def _review_unit(flow: Reporting, account: Account, this: Round, board: list[PartStatus]) -> None:
    st.subheader("审核单位数据")
    names = {s.unit.code: f"{s.unit.name}（{s.label}）" for s in board}
    waiting = [s.unit.code for s in board if s.state == "submitted"]
    code = st.selectbox("选择单位", list(names), format_func=names.get, key="review_unit",
                        index=list(names).index(waiting[0]) if waiting else 0)  # fmt: skip
    status = next(s for s in board if s.unit.code == code)
    changes = flow.changes(account, this.round_id, code, status) if status.edited else []
    if changes:
        st.markdown(f"**{markdown_text(status.unit.name)}**：" + "，".join(c.text() for c in changes))
    elif status.state in ("submitted", "approved"):
        st.markdown(f"**{markdown_text(status.unit.name)}**：与上月相同")
    with st.expander("查看本单位数据"):
        reporting_part.part_editor(flow, account, this, code)
    with st.expander("本单位操作记录"):
        history = [e for e in flow.events(this.round_id, code) if e.unit_code == code]
        st.text("\n".join(f"{e.happened_at[:16].replace('T', ' ')} {e.username}：{ROUND_EVENT.label_of(e.action)}"
                          + (f"（{e.detail}）" if e.detail else "") for e in history) or "尚无操作")  # fmt: skip
    if status.state == "submitted":
        left, right = st.columns(2)
        if left.button("通过", type="primary", icon=":material/check:", key=f"approve:{code}"):
            _act(lambda: flow.approve(account, this.round_id, code), f"已通过：{status.unit.name}", next_unit=True)
        reason = right.text_input("退回原因（填报单位会看到）", key=f"reason:{code}")
        if right.button("退回", icon=":material/undo:", key=f"return:{code}"):
            _act(
                lambda: flow.return_part(account, this.round_id, code, reason),
                f"已退回：{status.unit.name}",
                next_unit=True,
            )
    elif status.state == "approved":
        reason = st.text_input("如需撤回通过、退回修改，请填写原因", key=f"reason:{code}")
        if st.button("退回", key=f"return:{code}"):
            _act(lambda: flow.return_part(account, this.round_id, code, reason), f"已退回：{status.unit.name}")


def _publish(flow: Reporting, account: Account, this: Round, board: list[PartStatus]) -> None:
    st.subheader(f"发布 {this.as_of} 数据")
    waiting = [s for s in board if s.state != "approved"]
    approved = len(board) - len(waiting)
    carry = False
    if waiting:
        names = "、".join(f"{s.unit.name}（{s.label}）" for s in waiting)
        choice = st.radio("未通过审核的单位", ["沿用上月数据发布", "暂不发布，等待全部通过"], key="publish_choice",
                          horizontal=True)  # fmt: skip
        carry = choice == "沿用上月数据发布"
        if carry:
            st.warning(f"将写入 {this.as_of} 的快照：{approved} 个已通过单位按上报数据，{len(waiting)} 个单位沿用 "
                       f"{this.base_date} 的数据：{names}。本月报告会注明“沿用上月 {len(waiting)}”。"
                       "发布后不能再修改本月上报。")  # fmt: skip
        else:
            st.info(f"还有 {len(waiting)} 个单位未通过：{names}。全部通过后才能发布。")
            return
    else:
        st.success(f"全部 {len(board)} 个单位已通过。发布将写入 {this.as_of} 的快照，发布后不能再修改本月上报。")
    if st.button(f"确认发布 {this.as_of} 数据", type="primary", icon=":material/publish:"):
        try:
            published = flow.publish(account, this.round_id, carry_forward=carry)
        except (ReportingError, AccessDenied) as err:
            st.error(str(err))
            return
        st.success(f"已发布 {published.as_of}：{sum(published.rows.values())} 行数据。"
                   f"在侧栏“数据截至”中选择 {published.as_of} 即可查看。")  # fmt: skip


def _act(step, done: str, next_unit: bool = False) -> None:
    """Run a workflow step and rerun; after a review, the unit chosen next is the next one waiting."""
    try:
        step()
    except (ReportingError, AccessDenied, UnitError) as err:
        st.error(str(err))
        return
    if next_unit:
        st.session_state.pop("review_unit", None)
    st.toast(done)
    st.rerun()


def open_round_form(flow: Reporting, account: Account) -> None:
    st.subheader("发起新一月的上报")
    today = date.today()
    month_end = today.replace(day=1) - timedelta(days=1)
    with st.form("open_round"):
        as_of = st.date_input("数据日期（月末）", value=month_end, format="YYYY-MM-DD")
        deadline = st.date_input("截止日期", value=today + timedelta(days=5), format="YYYY-MM-DD")
        if st.form_submit_button("发起上报", type="primary"):
            _act(lambda: flow.open_round(account, as_of, deadline), f"已发起 {as_of} 的上报")


def workflow(data) -> Reporting:
    """The reporting workflow of the store being served, in its server database (for the read-only demo, this
    machine's writable copy: auth.server_url)."""
    return city.workflow(auth.server_url(), data)


def reporting_page(data, account: Account) -> None:
    """The page: a 填报员 sees its unit's part; the county's roles the board, a unit's part, units, a new round."""
    flow = workflow(data)
    try:
        this = flow.current_round()
    except serverdb.ServerDbUnavailable:
        st.warning(f"上报数据{serverdb.UNREADABLE}")
        return
    if account.role == REPORTER:
        if this is None:
            st.info("目前没有进行中的上报任务。审核员发起下一月的上报后，本单位的数据会出现在这里。")
            return
        st.markdown(f"**{this.as_of.year}年{this.as_of.month}月上报**：数据日期 {this.as_of}，截止 {this.deadline}。"
                    f"本单位数据已按上期（{this.base_date}）预填，只需修改有变化的行。")  # fmt: skip
        if isinstance(flow, city.CityReporting):  # a county reports its whole published month, not rows
            status = flow.status(this.round_id, account.unit_code)
            st.markdown(f"**{markdown_text(status.unit.name)}**：{status.label}")
            if status.return_reason:
                st.warning(f"市审核员退回原因：{markdown_text(status.return_reason)}")
            st.info("县里报送的是本县已发布的整月数据：在本县完成该月上报并发布后，在本县服务器上运行 "
                    "`python -m socialwork round submit-county 本县数据目录 --data 市数据目录`"
                    "（docs/reporting-city.md）。")  # fmt: skip
            return
        reporting_part.part_editor(flow, account, this, account.unit_code)
        return
    tabs = st.tabs(["审核看板", "代为填报", "上报单位", "发起上报"])
    with tabs[0]:
        if this is None:
            st.info("目前没有进行中的上报任务：可在“发起上报”中发起。")
        else:
            review_board(flow, account, this)
    with tabs[1]:
        if this is None:
            st.info("目前没有进行中的上报任务。")
        elif account.role != ADMIN:
            st.info("审核员不代替单位填报：请退回并写明原因，由单位修改后重新提交。管理员可在此代为填报。")
        else:
            units = {u.code: u.name for u in flow.units()}
            code = st.selectbox("代哪个单位填报", list(units), format_func=units.get, key="fill_for")
            reporting_part.part_editor(flow, account, this, code)
    with tabs[2]:
        units_section(flow, account)
    with tabs[3]:
        if this is not None:
            st.info(f"{this.as_of} 的上报正在进行中：发布后才能发起下一月。")
        else:
            open_round_form(flow, account)


def units_section(flow: Reporting, account: Account) -> None:
    units = flow.units()
    st.caption("每个单位填报的范围：乡镇（街道）填报本乡镇的行；部门填报其负责领域的岗位、其购买的服务项目或整张表；"
               "县本级填报其余所有行（含年度目标和实施步骤）。")  # fmt: skip
    if units:
        st.dataframe(pd.DataFrame([{"单位代码": u.code, "单位名称": u.name, "类型": u.kind_label,
                                    "负责岗位领域": "、".join(u.sectors), "购买部门": "、".join(u.purchase_departments),
                                    "负责整表": "、".join(u.whole_tables)} for u in units]),
                     hide_index=True, width="stretch")  # fmt: skip
        st.download_button("下载上报单位表（XLSX）", units_sheet_bytes(units), file_name="上报单位.xlsx",
                           on_click="ignore", icon=":material/download:")  # fmt: skip
    upload = st.file_uploader("上传修改后的上报单位表（XLSX）", type=["xlsx"], key="units_upload")
    left, right = st.columns(2)
    if upload is not None and left.button("用上传的表设置上报单位"):
        try:
            loaded = read_units_sheet(upload.getvalue(), upload.name)
        except UnitError as err:
            st.error(str(err))
            return
        _act(lambda: flow.set_units(loaded, account), f"已设置 {len(loaded)} 个上报单位")
    if right.button("按本县乡镇和常用部门生成默认单位"):
        _act(lambda: flow.set_units(flow.default_units(), account), "已生成默认上报单位")
