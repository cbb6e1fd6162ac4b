"""Meeting documents: the PPTX deck, the PDF report, the XLSX workbook of every table, the DOCX summary."""

from __future__ import annotations

import base64
import html
import io
from datetime import date
from pathlib import Path

import pandas as pd
from docx import Document
from docx.oxml.ns import qn as docx_qn
from docx.shared import Pt
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Inches
from pptx.util import Pt as PptPt

from socialwork.data import identity, settings
from socialwork.data.spreadsheet import strip_control
from socialwork.figures import measures, metrics, posts, staffing
from socialwork.present.exports import xlsx_bytes
from socialwork.present.followup_tables import export_table, slide_parts
from socialwork.present.followup_tables import load as load_followups
from socialwork.present.formatting import (
    as_of_stamp,
    community_table,
    date_stamp,
    format_value,
    funding_table,
    goal_text,
    incentives_table,
    organisations_table,
    scorecard_export_frame,
    sector_table,
    shortfall_table,
    stations_table,
    township_activity_table,
    uncovered_table,
)
from socialwork.present.meeting import Meeting, Slide
from socialwork.present.rendering import figure_png, html_to_pdf

EAST_ASIAN_FONT = "Microsoft YaHei"  # what Chinese office PCs have; elsewhere the system substitutes a CJK font
LATIN_FONT = "Arial"
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)


# ---------------------------------------------------------------- PPTX


def _ea(run, size: int, bold: bool = False, colour: tuple[int, int, int] = (34, 34, 34)) -> None:
    """Font of a run: size, weight, colour, and the East Asian typeface (without it Chinese falls back)."""
    run.font.size, run.font.bold, run.font.name = PptPt(size), bold, LATIN_FONT
    run.font.color.rgb = RGBColor(*colour)
    properties = run._r.get_or_add_rPr()
    for old in properties.findall(qn("a:ea")):
        properties.remove(old)
    properties.append(properties.makeelement(qn("a:ea"), {"typeface": EAST_ASIAN_FONT}))


def _text(slide, text: str, left, top, width, height, size: int, bold: bool = False, colour=(34, 34, 34)):
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    _ea(run, size, bold, colour)
    return frame


def _footer(slide, meeting: Meeting, number: int, total: int) -> None:
    _text(slide, meeting.stamp, Inches(0.5), Inches(7.0), Inches(9), Inches(0.4), 12, colour=(102, 102, 102))
    _text(slide, f"{number} / {total}", Inches(11.8), Inches(7.0), Inches(1.2), Inches(0.4), 12, colour=(102, 102, 102))


def _table(slide, frame: pd.DataFrame, top) -> None:
    """A table that fits between caption and footer (5.1 inches): rows shrink to at most 0.36 inch."""
    rows, cols = len(frame) + 1, len(frame.columns)
    row_height = min(Inches(0.36), int(Inches(5.1) / rows))
    size = 14 if rows <= 13 else 11
    shape = slide.shapes.add_table(rows, cols, Inches(0.5), top, Inches(12.3), row_height * rows)
    for row in shape.table.rows:
        row.height = row_height
    for r in range(rows):
        for c in range(cols):
            cell = shape.table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            if r == 0:
                text = str(frame.columns[c])
            else:
                value = frame.iat[r - 1, c]
                text = "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = text
            _ea(run, size, bold=r == 0, colour=(255, 255, 255) if r == 0 else (34, 34, 34))


def deck_bytes(meeting: Meeting) -> bytes:
    """16:9 deck: a title slide, one slide per view with its caption and chart image or table."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = deck.slide_layouts[6]
    total = len(meeting.slides) + 1
    title = deck.slides.add_slide(blank)
    _text(
        title, meeting.title, Inches(0.8), Inches(2.3), Inches(11.7), Inches(1.4), 40, bold=True, colour=(43, 92, 138)
    )
    _text(title, meeting.stamp, Inches(0.8), Inches(3.9), Inches(11.7), Inches(0.8), 24)
    _text(title, meeting.county.issuer, Inches(0.8), Inches(4.7), Inches(11.7), Inches(0.8), 24)
    _footer(title, meeting, 1, total)
    for number, view in enumerate(meeting.slides, start=2):
        slide = deck.slides.add_slide(blank)
        _text(
            slide, view.title, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), 32, bold=True, colour=(43, 92, 138)
        )
        _text(slide, view.caption, Inches(0.5), Inches(1.05), Inches(12.3), Inches(0.8), 20)
        if view.figure is not None:
            picture = io.BytesIO(figure_png(view.figure))  # 2:1, so 10 × 5 inches between caption and footer
            slide.shapes.add_picture(picture, Inches(1.67), Inches(1.85), width=Inches(10), height=Inches(5))
        elif view.table is not None:
            _table(slide, view.table, Inches(1.8))
        _footer(slide, meeting, number, total)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF

PDF_STYLE = """
@page { size: A4 landscape; margin: 12mm 14mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #222; margin: 0; }
section { page-break-after: always; height: 180mm; position: relative; overflow: hidden; }
section:last-child { page-break-after: auto; }
h1 { color: #2b5c8a; font-size: 26pt; margin: 0 0 6mm; }
.title { padding-top: 50mm; box-sizing: border-box; }
.title h1 { font-size: 34pt; }
.caption { font-size: 15pt; margin-bottom: 5mm; }
img { width: 100%; max-height: 125mm; object-fit: contain; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; }
th { background: #2b5c8a; color: white; text-align: left; padding: 4px 6px; }
td { border-bottom: 1px solid #ddd; padding: 3px 6px; }
footer { position: absolute; bottom: 0; left: 0; right: 0; font-size: 10pt; color: #666; display: flex;
         justify-content: space-between; }
"""


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('—' if pd.isna(v) else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_slide(view: Slide, meeting: Meeting, number: int, total: int) -> str:
    if view.figure is not None:
        content = f'<img src="data:image/png;base64,{base64.b64encode(figure_png(view.figure)).decode()}">'
    else:
        content = _html_table(view.table) if view.table is not None else ""
    return (
        f"<section><h1>{html.escape(view.title)}</h1><div class='caption'>{html.escape(view.caption)}</div>{content}"
        f"<footer><span>{html.escape(meeting.stamp)}</span><span>{number} / {total}</span></footer></section>"
    )


def report_html(meeting: Meeting) -> str:
    total = len(meeting.slides) + 1
    sections = [
        f"<section class='title'><h1>{html.escape(meeting.title)}</h1><div class='caption'>"
        f"{html.escape(meeting.stamp)}</div><div class='caption'>{html.escape(meeting.county.issuer)}</div>"
        f"<footer><span>{html.escape(meeting.stamp)}</span><span>1 / {total}</span></footer></section>"
    ]
    sections += [_html_slide(v, meeting, n, total) for n, v in enumerate(meeting.slides, start=2)]
    return f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>{PDF_STYLE}</style></head>" + (
        f"<body>{''.join(sections)}</body></html>"
    )


def report_pdf_bytes(meeting: Meeting) -> bytes:
    return html_to_pdf(report_html(meeting))


# ---------------------------------------------------------------- XLSX


def tables_workbook_bytes(as_of: date, townships: list[str] | None, scope: str, data: Path | None = None) -> bytes:
    """Every table behind the pages, one sheet each, with the as-of date and filter above each table."""
    sheets = {
        "目标": _targets_sheet(metrics.kpi_report(as_of, townships, data)),
        "乡镇可比目标": scorecard_export_frame(metrics.township_scorecard(as_of, townships, data)),
        "村社区社工配备": community_table(staffing.community_staffing(as_of, townships, data)),
        "城市社区缺口": shortfall_table(staffing.shortfall_list(as_of, townships, data)),
        "无社工村社区": uncovered_table(staffing.uncovered_list(as_of, townships, data)),
        "岗位按领域": sector_table(posts.posts_by_sector(as_of, townships, data)),
        "岗位按经费": funding_table(posts.posts_by_funding(as_of, townships, data)),
        "社工站": stations_table(measures.stations_by_township(as_of, townships, data)),
        "社工机构": organisations_table(measures.organisations(as_of, townships, data)),
        "激励": incentives_table(measures.incentives_by_year(as_of, townships, data)),
        "督导培训": township_activity_table(measures.supervision_training_by_township(as_of, townships, data)),
        "会议督办事项": export_table(load_followups(as_of, townships, data)),
    }
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    return xlsx_bytes(sheets, as_of, scope, f"{county.title}数据")


def _targets_sheet(report: metrics.KpiReport) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "指标": [k.label for k in report.kpis],
            "方案目标": [k.target_label or "—" for k in report.kpis],
            "当前值": [format_value(k.value, k.decimals, k.unit) for k in report.kpis],
            "目标值": [goal_text(k) for k in report.kpis],
            "状态": [k.status_label for k in report.kpis],
        }
    )


# ---------------------------------------------------------------- DOCX

PLACEHOLDER = "（此处由工作人员填写。）"


def _docx_fonts(document) -> None:
    style = document.styles["Normal"]
    style.font.name, style.font.size = LATIN_FONT, Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(docx_qn("w:eastAsia"), EAST_ASIAN_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(docx_qn("w:eastAsia"), EAST_ASIAN_FONT)


def summary_docx_bytes(
    report: metrics.KpiReport, scope: str, county: identity.County, followups: tuple[str, pd.DataFrame] | None = None
) -> bytes:
    """The plan year's summary report, in a Chinese government summary's structure, figures filled in."""
    document = Document()
    _docx_fonts(document)
    scope = strip_control(scope)  # python-docx raises on a control character in a stored name
    year = report.plan_year
    title = f"{county.title}{year}年度总结报告"
    document.core_properties.title, document.core_properties.author = title, county.issuer
    document.add_heading(title, level=0)
    document.add_paragraph(county.issuer)
    base = f"，基线为 {date_stamp(report.baseline_date)} 快照" if report.baseline_date else ""
    document.add_paragraph(f"{as_of_stamp(report.as_of)}；范围：{scope}{base}。")
    document.add_heading("一、工作开展情况", level=1)
    document.add_paragraph(PLACEHOLDER)
    document.add_heading("二、目标完成情况", level=1)
    targeted = [k for k in report.kpis if k.target_label is not None]
    met = [k for k in targeted if k.status == "met"]
    document.add_paragraph(f"{year}年度共 {len(targeted)} 项目标，已完成 {len(met)} 项。")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, header in zip(
        table.rows[0].cells, ["序号", "目标", "目标值", "完成值", "是否完成", "较基线变化"], strict=True
    ):
        cell.text = header
    for number, kpi in enumerate(targeted or report.kpis, start=1):  # a year without targets lists every value
        change = None if kpi.value is None or kpi.baseline_value is None else kpi.value - kpi.baseline_value
        values = [
            str(number), strip_control(kpi.target_label or kpi.label),
            goal_text(kpi),
            format_value(kpi.value, kpi.decimals, kpi.unit),
            {"met": "是", "contribution": "（乡镇贡献）", "no_goal": "—", "no_data": "—"}.get(kpi.status, "否"),
            "—" if change is None else f"{change:+,.{kpi.decimals}f}{kpi.unit}",
        ]  # fmt: skip
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    untargeted = [k.label for k in report.kpis if k.target_label is None]
    if untargeted and targeted:
        document.add_paragraph(f"本年度未设目标的指标（{len(untargeted)} 项）：{'、'.join(untargeted)}。")
    document.add_heading("三、存在问题", level=1)
    document.add_paragraph(PLACEHOLDER)
    unmet = [k for k in report.kpis if k.status in ("behind", "missed")]
    if unmet:
        document.add_paragraph("未完成的目标（供参考）：")
        for kpi in unmet:
            document.add_paragraph(
                f"{kpi.label}：{format_value(kpi.value, kpi.decimals, kpi.unit)}", style="List Bullet"
            )
    document.add_heading("四、下一步打算", level=1)
    document.add_paragraph(PLACEHOLDER)
    if followups is not None:
        docx_followups_section(document, *followups)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_followups_section(document, caption: str, table: pd.DataFrame) -> None:
    """附：上次会议督办事项落实情况, a caption (the meeting and the counts) and a table of its items."""
    document.add_heading("附：上次会议督办事项落实情况", level=1)
    document.add_paragraph(strip_control(caption))
    if table.empty:
        return
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, header in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = str(header)
    for row in table.itertuples(index=False):
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.text = strip_control(str(value))


def export_bytes(
    kind: str, as_of: date, townships: list[str] | None, township_names: list[str] | None, data: Path | None = None
) -> bytes:
    """One meeting document for the snapshot and township filter: pptx, pdf, xlsx or docx."""
    from socialwork.present.formatting import scope_text
    from socialwork.present.meeting import meeting

    scope = scope_text(township_names)
    if kind == "xlsx":
        return tables_workbook_bytes(as_of, townships, scope, data)
    if kind == "docx":
        county, _ = identity.load_or_fallback(data or settings.data_dir())
        followups = slide_parts(load_followups(as_of, townships, data))
        return summary_docx_bytes(metrics.kpi_report(as_of, townships, data), scope, county, followups)
    content = meeting(as_of, townships, township_names, data)
    return deck_bytes(content) if kind == "pptx" else report_pdf_bytes(content)


EXPORT_KINDS = {
    "pptx": ("演示文稿（PPTX）", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("报告（PDF）", "application/pdf"),
    "xlsx": ("全部数据表（XLSX）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("年度总结（DOCX）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
