"""The PDF report a civil-affairs bureau hands to the county's leaders: A4 portrait, the county's identity on the
first page, a one-page summary, then every section of report.REPORT_SECTIONS; page numbers and the as-of stamp
in every page's margin (CSS page-margin boxes, which Chromium prints), fonts embedded, charts as vector images.
"""

from __future__ import annotations

import base64
import html
from datetime import date

from socialwork.present.documents.rendering import figure_svg, html_to_pdf
from socialwork.present.documents.report import (
    Bullets,
    Figure,
    Narrative,
    Paragraph,
    ReportData,
    Table,
    report_sections,
    report_title,
)
from socialwork.present.tables.html import table_html
from socialwork.present.theme import STATUS_COLOURS, pill_class
from socialwork.present.words.formatting import date_stamp

FIGURE_PX = 900  # a chart drawn 900 pixels wide on a 180-millimetre line: its 16-pixel text prints at about 9 pt
TALL_FIGURE_PX = 600  # taller than this, a chart may fill the page's height
FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'


def css_string(text: str) -> str:
    """Text as a CSS string literal (the page-margin boxes' content)."""
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_css(data: ReportData, title: str) -> str:
    """A4 portrait with the title and issuer above, the stamp and 第 N 页 / 共 M 页 below, on every page."""
    margin = f"font-family: {FONT}; font-size: 8.5pt; color: #555;"
    pills = "\n".join(f".{pill_class(s)} {{background: {c};}}" for s, c in STATUS_COLOURS.items())
    return f"""
@page {{ size: A4 portrait; margin: 18mm 15mm 18mm 15mm;
  @top-left {{ content: {css_string(title)}; {margin} }}
  @top-right {{ content: {css_string(data.county.issuer)}; {margin} }}
  @bottom-left {{ content: {css_string(data.stamp)}; {margin} }}
  @bottom-right {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; {margin} }}
}}
* {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: {FONT}; color: #1f1f1f; font-size: 10.5pt; line-height: 1.55; margin: 0; }}
.cover {{ border-bottom: 2px solid #2b5c8a; padding-bottom: 4mm; margin-bottom: 5mm; }}
.cover h1 {{ color: #2b5c8a; font-size: 20pt; margin: 0 0 2mm; line-height: 1.3; }}
.cover .period {{ font-size: 13pt; margin-bottom: 2mm; }}
.cover .meta {{ font-size: 10pt; color: #333; }}
h2 {{ color: #2b5c8a; font-size: 14pt; margin: 0 0 3mm; }}
/* The first page is the one-page summary; after it the sections run on, each below the last, so that no page
   stands half empty before a new section (pages 3 to 7 did). A heading stays with what follows it. */
section:first-child + section {{ break-before: page; }}
section + section + section {{ margin-top: 8mm; }}
h2, h3 {{ break-after: avoid; }}
h3 {{ font-size: 11pt; margin: 4mm 0 1.5mm; }}
p {{ margin: 0 0 2mm; }}
p.strong {{ font-weight: 700; }}
ul {{ margin: 0 0 2mm 5mm; padding-left: 3mm; }}
.sw-table {{ border-collapse: collapse; width: 100%; font-size: 9pt; margin-bottom: 3mm; }}
.sw-table thead {{ display: table-header-group; }}
.sw-table tr {{ break-inside: avoid; }}
.sw-table th {{ background: #e8eef5; text-align: left; padding: 1.2mm 1.5mm; }}
.sw-table td {{ border-bottom: 0.5pt solid #d6d6d6; padding: 1mm 1.5mm; vertical-align: top; }}
.sw-table .sw-num {{ text-align: right; }}
.sw-table td.sw-num, .sw-table td.sw-short {{ white-space: nowrap; }}
.sw-more {{ display: none; }}
.sw-pill {{ display: inline-block; padding: 0 1.5mm; border-radius: 1mm; font-weight: 700; color: #fff;
  white-space: nowrap; }}
{pills}
.sw-at-risk {{ color: #1f1f1f; }}
figure {{ margin: 3mm 0 4mm; break-inside: avoid; }}
figure img {{ width: 100%; max-height: 92mm; object-fit: contain; }}
figure.tall img {{ max-height: 225mm; }}
figcaption {{ font-size: 9.5pt; color: #333; }}
.narrative {{ border: 1.5pt dashed #c62828; padding: 3mm; min-height: 40mm; color: #c62828; }}
"""


def block_html(block) -> str:
    """One block of a report section as HTML (every text escaped)."""
    if isinstance(block, Paragraph):
        return f"<p class='{'strong' if block.strong else ''}'>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        title = f"<h3>{html.escape(block.title)}</h3>" if block.title else ""
        return title + table_html(
            block.frame, statuses=block.statuses, phone=list(block.frame.columns), scroll_rows=None
        )
    if isinstance(block, Figure):
        image = base64.b64encode(figure_svg(block.figure, width=FIGURE_PX)).decode()
        # A chart of many rows (every sector of the plan) takes the page's height: squeezed into 92 mm its 16-pixel
        # names printed at about 5 pt.
        tall = " class='tall'" if (block.figure.layout.height or 0) > TALL_FIGURE_PX else ""
        return (
            f"<figure{tall}><img src='data:image/svg+xml;base64,{image}'>"
            f"<figcaption>{html.escape(block.caption)}</figcaption></figure>"
        )
    if isinstance(block, Narrative):
        return f"<div class='narrative'>{html.escape(block.prompt)}</div>"
    raise TypeError(f"unknown block {block!r}")


def report_html(data: ReportData, today: date | None = None) -> str:
    """The whole report as one HTML page for Chromium to print."""
    title = report_title(data.county, data.as_of, "pdf")
    made = date_stamp(today or date.today())
    cover = (
        f"<div class='cover'><h1>{html.escape(title)}</h1><div class='period'>{html.escape(data.period)}</div>"
        f"<div class='meta'>{html.escape(data.county.issuer)}　·　{html.escape(data.stamp)}"
        f"　·　编制日期 {made}</div></div>"
    )
    sections = []
    for number, section in enumerate(report_sections(data, "pdf")):
        body = "".join(block_html(b) for b in section.blocks)
        sections.append(
            f"<section>{cover if number == 0 else ''}<h2>{html.escape(section.heading)}</h2>{body}</section>"
        )
    return (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{page_css(data, title)}</style></head><body>{''.join(sections)}</body></html>"
    )


def report_pdf_bytes(data: ReportData) -> bytes:
    return html_to_pdf(report_html(data))
