"""数据导入: data staff upload a month's registers (template XLSX or CSV files) as a new snapshot."""

from datetime import date, timedelta

import streamlit as st

from socialwork.figures import reporting_status
from socialwork.present.screen import cards, filtering
from socialwork.present.staff import login, uploads
from socialwork.present.words.formatting import date_stamp
from socialwork.present.words.plaintext import markdown_text

filtering.ensure_entrypoint()
workspace = filtering.current_workspace()  # also before the first snapshot, when there are no filters
county = workspace.county
st.title("数据导入")
account = login.login_gate("import")
progress = reporting_status.round_progress(workspace.data)  # the month's round, while the units report
if progress is not None:
    st.info(f"{progress.text()}。各单位填报的数据经审核发布后即为该月数据，无需再导入。", icon=":material/fact_check:")

target = workspace.data
counties = uploads.counties_to_import(workspace.data)
if counties:  # a store of many counties: each county's registers go into its own folder
    code = st.selectbox("导入哪个县（市、区）的数据", list(counties), format_func=counties.get, index=None,
                        key="import_county", placeholder="请选择县（市、区）")  # fmt: skip
    if code is None:
        st.info(f"{markdown_text(county.county_name)}的数据按县分别导入：请先选择本次上传数据所属的县（市、区）。")
        st.stop()
    target, county = uploads.import_destination(workspace.data, code)
st.markdown(f"导入到：**{markdown_text(county.county_name)}**（数据目录 `{target}`）")
template, template_file = uploads.template_download(county)
st.download_button("下载导入模板（XLSX）", template, file_name=template_file, icon=":material/download:",
                   on_click="ignore")  # fmt: skip
st.caption(
    "每个数据表一个工作表，列名一行、数据逐行；标题行、序号列、合并单元格、合计行和表尾的填表人信息会自动跳过。"
    "姓名、身份证号、电话不会被保存。"
    "“年度目标”和“实施步骤与举措”在第一期填写；以后各期如无变化可删去这两个工作表，导入时沿用上一期。"
)
month_end = date.today().replace(day=1) - timedelta(days=1)
as_of = st.date_input("数据日期（通常为月末）", value=month_end, format="YYYY-MM-DD")
files = st.file_uploader(
    "上传 XLSX 工作簿，或每个数据表一个 CSV 文件", type=["xlsx", "csv"], accept_multiple_files=True
)
if not files:
    st.stop()

checked, problems = uploads.preview([(f.name, f.getvalue()) for f in files], as_of, target)
if problems:
    st.error(f"文件中有 {len(problems)} 个问题，未导入任何数据。请修改后重新上传：")
    st.text("\n".join(f"· {p}" for p in problems[:200]))  # plain text: a cell's content is never rendered
    st.stop()

if checked.warnings:  # plain text: sheet names and headers come from the file
    with st.expander(f"读取时跳过或忽略的内容（{len(checked.warnings)} 条），请核对", expanded=True):
        st.text("\n".join(f"· {w}" for w in checked.warnings))
since = f"（对比 {date_stamp(checked.previous_date)} 快照）" if checked.previous_date else "（这是第一期快照）"
st.subheader(f"导入预览{since}")
cards.table(uploads.import_preview_table(checked))
st.markdown(f"人员：新增 **{checked.people_joined}** 人，减少 **{checked.people_left}** 人")
replace = False
if checked.exists:
    replace = st.checkbox(f"{date_stamp(as_of)} 的快照已存在：确认替换（原快照会保留备份，可恢复）")
if st.button("确认导入", type="primary", disabled=checked.exists and not replace):
    with st.status("正在导入…", expanded=True) as status:
        st.write("写入快照文件…")
        result, problems = uploads.confirm(checked, target, replace, account)
        if result is None:  # e.g. another import is writing this store
            status.update(label="导入失败，未写入任何数据", state="error")
            st.error("\n\n".join(markdown_text(p) for p in problems))
            st.stop()
        status.update(label=f"已导入 {date_stamp(result.as_of)} 快照", state="complete")
    first = checked.previous_date is None  # the store's first snapshot: the dashboard appears on the next run
    where = "刷新页面即可查看看板" if first else f"在侧栏“数据截至”中选择 {date_stamp(result.as_of)} 即可查看"
    st.success(f"导入完成：{sum(result.rows.values())} 行数据。{where}。")
