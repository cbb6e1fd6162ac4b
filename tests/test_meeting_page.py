"""会议演示 page: presentation mode from the URL, a bad page number, the export buttons."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.meeting.slides import meeting, outline, slide
from socialwork.present.words.plaintext import markdown_text
from tests.markdown_text import shown

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")


def open_meeting(**query) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/meeting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_presentation_mode_shows_one_view_with_stamp_and_page_number():
    content = meeting(LAST_SNAPSHOT, EVERYWHERE, None)
    at = open_meeting(view="3", township=[])
    assert shown(at.title[0].value) == content.slides[2].title  # 年度目标完成情况（3/3）, its slash escaped
    assert any(f"3 / {len(content.slides)}" in m.value and "数据截至 2026年10月31日" in m.value for m in at.markdown)
    assert any(content.slides[2].caption in shown(m.value) for m in at.markdown)
    labels = [b.label for b in at.button]
    assert labels == ["上一页", "下一页", "退出演示"]


def test_the_outline_lists_the_slides_the_exports_build_and_builds_each_alone():
    content = meeting(LAST_SNAPSHOT, Places.townships(["999901101"]), ["河口镇"])
    plan = outline(LAST_SNAPSHOT, Places.townships(["999901101"]), ["河口镇"])
    assert plan.titles == tuple(s.title for s in content.slides) and plan.stamp == content.stamp
    for i, built in enumerate(content.slides):
        alone = slide(plan, i)
        assert (alone.key, alone.title, alone.caption) == (built.key, built.title, built.caption)
        if built.table is not None:
            assert alone.table.equals(built.table)


def test_the_page_lists_every_slide_by_title():
    content = meeting(LAST_SNAPSHOT, EVERYWHERE, None)
    at = open_meeting()
    listed = f"共 {len(content.slides)} 页：" + markdown_text("、".join(s.title for s in content.slides))
    assert any(m.value == listed for m in at.markdown)


def test_next_moves_to_the_following_view():
    at = open_meeting(view="1")
    at.run()  # AppTest re-enters legacy pages/ mode on its first run; the second is a normal session
    next(b for b in at.button if b.label == "下一页").click().run()
    assert at.query_params["view"] in ("2", ["2"])


def test_bad_page_number_in_the_url_is_reported():
    at = open_meeting(view="99")
    assert any("view=99 无效" in e.value for e in at.error)


def test_export_panel_offers_every_format():
    at = open_meeting()
    labels = [b.label for b in at.button]
    for label in ("生成演示文稿（PPTX）", "生成报告（PDF）", "生成全部数据表（XLSX）", "生成阶段性进展报告（DOCX）"):
        assert label in labels
