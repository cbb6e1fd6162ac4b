"""岗位开发 page: every sector of the plan appears, county and township views, the county-level note."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.contract.enums import SECTOR
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import choices, posts
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.html_tables import tables

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
# The sectors named in shared/DOMAIN.md, as the plan writes them.
DOMAIN_SECTORS = [
    "社区服务中心", "党群服务中心(站)", "综治中心", "关爱工作站(室)", "社区综合服务站", "养老服务机构",
    "儿童福利机构", "社会救助服务机构", "救助管理机构", "禁毒", "社区矫正", "信访", "退役军人事务", "应急管理",
    "医务", "学校", "工会", "青少年", "妇女", "残疾人",
]  # fmt: skip


def open_posts(**query) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/posts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_domain_sector_appears_in_chart_and_table():
    assert sorted(DOMAIN_SECTORS) == sorted(SECTOR.labels.values())
    at = open_posts()
    table = tables(at)[1]
    assert sorted(table["领域"]) == sorted(DOMAIN_SECTORS)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    drawn = {label.split("｜")[1] for label in chart["data"][0]["y"]}
    assert drawn == set(DOMAIN_SECTORS)
    assert any("信访" in w.value and "应急管理" in w.value for w in at.warning)


def test_county_figures_equal_the_queries():
    at = open_posts()
    summary = posts.post_summary(LAST_SNAPSHOT, EVERYWHERE)
    shown = {m.label: m.value for m in at.metric}
    assert shown["岗位总数"] == f"{int(summary['posts'])}个"
    assert shown["空缺"] == f"{int(summary['vacant_posts'])}个"
    assert tables(at)[1]["岗位（个）"].sum() == summary["posts"]
    assert tables(at)[0]["岗位（个）"].sum() == summary["posts"]  # by platform / institution / key sector


@pytest.mark.parametrize("name", ["城关街道", "太平乡"])
def test_township_filter_says_county_posts_are_left_out(name):
    at = open_posts(township=[name])
    codes = Places.townships(choices.township_codes([name], LAST_SNAPSHOT))
    summary = posts.post_summary(LAST_SNAPSHOT, codes)
    assert tables(at)[1]["岗位（个）"].sum() == summary["posts"]
    assert tables(at)[0]["岗位（个）"].sum() == summary["posts"]  # by platform / institution / key sector
    assert any(f"县直部门的 {int(summary['county_level_posts'])} 个岗位" in i.value for i in at.info)
