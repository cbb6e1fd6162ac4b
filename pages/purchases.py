"""政府购买服务: projects and budget (万元) by year, department and township."""

import streamlit as st

from socialwork.figures import measures, metrics
from socialwork.figures.parallel import together
from socialwork.present.screen import breakdown, cards, charts, filtering
from socialwork.present.tables.topics import purchase_tables
from socialwork.present.words.plaintext import markdown_text

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("政府购买社会工作服务", filters)
as_of, places, data = filters.as_of, filters.places, filters.data
report, by_year, by_department, by_township = together(  # at once (socialwork/figures/parallel.py)
    lambda: metrics.kpi_report(as_of, places, data),
    lambda: measures.purchase_budget_by_year(as_of, places, data),
    lambda: measures.purchases_by_department(as_of, places, data),
    lambda: None if breakdown.by_county(filters) else measures.purchases_by_township(as_of, places, data),
)
cards.kpi_cards(metrics.kpis_in_groups(report, "purchase"), detailed=True)
if filters.township_codes:
    st.info("已按乡镇筛选：县级统筹项目（无服务乡镇）不计入。")

years, departments, townships = purchase_tables(by_year, by_department, by_township)

left, right = st.columns(2)
budget_chart = charts.bar_chart(years, "年度", "预算（万元）", "各年度购买服务预算", "万元", text_format="{:,.1f}")
cards.chart(budget_chart, left)
if departments.empty:
    right.info(f"{filters.as_of.year}年{markdown_text(filters.scope)}暂无政府购买社会工作服务项目。")
else:
    largest = charts.top_n(departments, ["预算（万元）"], label="购买部门", others="其他 {count:,} 个部门",
                           summed=["项目数", "预算（万元）"])  # fmt: skip
    cards.chart(
        charts.bar_chart(largest.frame, "购买部门", "预算（万元）", f"{filters.as_of.year}年各部门购买预算", "万元",
                         horizontal=True, text_format="{:,.1f}", note=largest.note("预算最多", "部门")),
        right,
    )  # fmt: skip
if by_township is None:  # a city: by county, a bar a county (click to see its townships)
    breakdown.county_section("purchases", filters)
    st.markdown("#### 各年度")
    cards.table(years)
    cards.download_sheets({"各年度": years, "各部门": departments}, "政府购买社工服务", filters, "政府购买社会工作服务",
                       key="purchases")  # fmt: skip
else:
    left, right = st.columns(2)
    with left:
        st.markdown(f"#### {filters.as_of.year}年各乡镇（街道）")
        cards.table(townships)
    with right:
        st.markdown("#### 各年度")
        cards.table(years)
    cards.download_sheets({"各年度": years, "各部门": departments, "各乡镇": townships}, "政府购买社工服务", filters,
                       "政府购买社会工作服务", key="purchases")  # fmt: skip
