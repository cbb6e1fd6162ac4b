"""岗位开发: social-work posts by sector, platform or institution, and funding."""

import streamlit as st

from socialwork.figures import posts
from socialwork.figures.parallel import together
from socialwork.present.screen import breakdown, cards, charts, filtering
from socialwork.present.tables.topics import funding_table, sector_group_table, sector_table
from socialwork.present.words.formatting import post_summary_items

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("岗位开发", filters)

as_of, places, data = filters.as_of, filters.places, filters.data
summary, by_sector, by_funding, trend, by_group = together(  # every read at once (socialwork/figures/parallel.py)
    lambda: posts.post_summary(as_of, places, data),
    lambda: posts.posts_by_sector(as_of, places, data),
    lambda: posts.posts_by_funding(as_of, places, data),
    lambda: posts.posts_trend(as_of, places, data),
    lambda: posts.posts_by_sector_group(as_of, places, data),
)
cards.summary_metrics(post_summary_items(summary))
if filters.township_codes and summary["county_level_posts"]:
    excluded = int(summary["county_level_posts"])
    st.info(f"已按乡镇筛选：县直部门的 {excluded} 个岗位（无所属乡镇）不计入，取消筛选可查看全县。")

empty = posts.sectors_without_posts(by_sector)
if empty:
    st.warning(f"以下 {len(empty)} 个领域尚无社会工作岗位：{'、'.join(empty)}")
cards.chart(charts.sector_posts_bars(by_sector, "各领域社会工作岗位（在岗 / 空缺）"))
if breakdown.by_county(filters):  # a city: by county, a bar a county (click to see its townships)
    breakdown.county_section("posts", filters)

left, right = st.columns(2)
cards.chart(charts.funding_bars(by_funding, "按经费来源"), left)
cards.chart(charts.posts_trend_lines(trend, "岗位数量变化", filters.damaged_months), right)

st.header("岗位明细")
groups = sector_group_table(by_group)
cards.table(groups, phone=["类别", "岗位（个）", "空缺（个）"])
sectors, funding = sector_table(by_sector), funding_table(by_funding)
cards.table(sectors, max_rows=30, phone=["领域", "岗位（个）", "空缺（个）"])
cards.table(funding, phone=["经费来源", "岗位（个）", "空缺（个）"])
cards.download_sheets(
    {"按类别": groups, "按领域": sectors, "按经费来源": funding},
    "社工岗位开发",
    filters,
    "社会工作岗位开发",
    key="posts",
)
