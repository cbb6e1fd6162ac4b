"""One look for every screen and document: colours that mean a status, the plotly template, and the page CSS
that keeps figures legible on a 1024×768 projector and a 390-pixel phone.

Colours mean the same everywhere: green met, blue on track (not yet met, on pace), amber at risk, red behind,
dark red missed at year end, grey where no goal applies. A status is never colour alone: a symbol and a word go
with it (targets.STATUS_SYMBOL), and fills are solid, since a projector washes out a pale tint.
"""

from __future__ import annotations

import os

import plotly.graph_objects as go
import plotly.io as pio

GREEN, BLUE, AMBER, RED, DARK_RED = "#1a7f37", "#1f5fa8", "#f0a800", "#c62828", "#8b1a1a"
GREY, LIGHT_GREY, INK = "#666666", "#d0d0d0", "#1f1f1f"
PRIMARY = "#2b5c8a"
GOAL_LINE = DARK_RED
OTHERS_COLOUR = "#9e9e9e"
# Series that are not statuses (kinds of activity, years, talent cards and awards) never take a status colour.
SERIES_COLOURS = [PRIMARY, "#8c6bb1", "#4f9a9a", "#b0855a", "#7fa7cf"]
VACANT_COLOUR = "#9ecae1"  # a vacant post, or this year's new posts behind the total: light, not a status

# Fill of each status; "at_risk" is for bars that meet a goal on average while some of their parts do not.
STATUS_COLOURS = {
    "met": GREEN,
    "on_track": BLUE,
    "at_risk": AMBER,
    "behind": RED,
    "missed": DARK_RED,
    "pending": GREY,
    "contribution": GREY,
    "no_goal": GREY,
    "no_data": GREY,
}
DARK_TEXT_FILLS = {AMBER, LIGHT_GREY}  # fills light enough that black text reads better than white

# st.metric's named colours for the delta of a card, by the card's status (its trend line takes STATUS_COLOURS).
STATUS_NAMED_COLOURS = {"met": "green", "on_track": "blue", "at_risk": "orange", "behind": "red", "missed": "red"}

# A plan step's timeline standing shown as the status it amounts to.
MILESTONE_STATUS = {
    "done": "met",
    "done_late": "at_risk",
    "overdue": "behind",
    "on_time": "on_track",
    "not_started": "no_goal",
}

# Chinese fonts first: Debian's Noto CJK / WenQuanYi, then what Windows and macOS viewers have.
FONT_FAMILY = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, SimHei, sans-serif"
BASE_FONT_SIZE = 18
SMALL_FONT_SIZE = 16  # the least any chart text may be: ticks, legend, bar labels, notes (issue 16)

pio.templates["socialwork"] = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": BASE_FONT_SIZE, "color": INK},
        # The title at the very top, so that a legend wrapped onto more lines on a narrow screen stays below it.
        title={
            "font": {"size": BASE_FONT_SIZE + 4},
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 12},
        },
        colorway=[PRIMARY, AMBER, GREEN, RED, BLUE, "#8c6bb1"],
        margin={"l": 60, "r": 30, "t": 100, "b": 50},
        plot_bgcolor="white",
        paper_bgcolor="white",
        # automargin: long category names and slanted dates get the room they need instead of being cut off.
        xaxis={
            "gridcolor": "#e5e5e5",
            "linecolor": "#888",
            "tickfont": {"size": SMALL_FONT_SIZE, "color": INK},
            "automargin": True,
            "ticklabelstandoff": 4,  # the first date clear of the value axis's "0"
        },
        yaxis={
            "gridcolor": "#e5e5e5",
            "linecolor": "#888",
            "tickfont": {"size": SMALL_FONT_SIZE, "color": INK},
            "rangemode": "tozero",
            "automargin": True,
            "ticklabelstandoff": 8,  # the "0" at the foot of the axis clear of the first date below it
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": SMALL_FONT_SIZE}},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": SMALL_FONT_SIZE}},
        # Bar labels plotly would shrink to fit stay at the least legible size (or are hidden) instead.
        uniformtext={"minsize": SMALL_FONT_SIZE, "mode": "hide"},
    )
)
TEMPLATE = "socialwork"
UPRIGHT_TITLE_CHARS = 3  # a y-axis title this short is a unit ("人", "%", "张/人"): shown upright above the axis
_TEMPLATE_OBJECT = pio.templates[TEMPLATE]  # a name would be looked up and copied again for every figure
CHECK_CHARTS_ENV = "SOCIALWORK_CHECK_CHARTS"  # "1": plotly checks every property of every chart (tests/conftest.py)


def themed_figure(traces: list[dict], layout: dict) -> go.Figure:
    """A themed figure built at once: traces as dicts with their "type", the layout without the template.

    Unchecked when served: plotly's check of every property is half of a chart's build (10 of 20 ms, on every
    rerun); the tests build every chart checked, where a misspelt property fails, and hold what a page sends the same
    either way (tests/test_chart_building.py)."""
    checked = os.environ.get(CHECK_CHARTS_ENV) == "1"
    layout = _upright_unit_title(layout)
    return go.Figure(data=traces, layout={"template": _TEMPLATE_OBJECT, **layout}, _validate=checked)


def _upright_unit_title(layout: dict) -> dict:
    """A value axis titled with a unit alone ("人", "%") reads it upright above the axis, not turned on its side."""
    yaxis = layout.get("yaxis") or {}
    text = ((yaxis.get("title") or {}).get("text") or "") if isinstance(yaxis, dict) else ""
    if not text or len(text.replace(" ", "")) > UPRIGHT_TITLE_CHARS:
        return layout
    unit = {"text": text, "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "right", "yanchor": "bottom",
            "showarrow": False, "font": {"size": SMALL_FONT_SIZE}, "xshift": -6}  # fmt: skip
    return {**layout, "yaxis": {**yaxis, "title": {"text": ""}}, "annotations": [*layout.get("annotations", []), unit]}


# Streamlit's own chart theme would replace the template's fonts (12-pixel grey ticks): charts are drawn with
# theme=None. No plotly toolbar: it covers the title on a phone and means nothing on a projector.
CHART_CONFIG = {"displayModeBar": False, "responsive": True}


def pill_class(status: str) -> str:
    """The CSS class of a status pill: sw-met, sw-behind, …"""
    return f"sw-{status.replace('_', '-')}"


def _pill_rules() -> str:
    return "\n".join(
        f".{pill_class(s)} {{background: {c}; color: {INK if c in DARK_TEXT_FILLS else '#fff'};}}"
        for s, c in STATUS_COLOURS.items()
    )


PHONE = "(max-width: 640px)"  # Streamlit stacks columns below this width
PHONE_MAP_LABEL_PX = 10  # a map's place names on a phone: at 11 two of the demo county's 17 touch at 390 pixels

# A metric's value in ems of its font: a Chinese character is one, a digit about half (Noto Sans CJK).
_NARROW_EMS = {".": 0.3, ",": 0.3, ":": 0.3, "/": 0.45, " ": 0.3, "%": 0.85, "+": 0.6, "-": 0.6, "−": 0.6}
FIT_EMS = 4.5  # a value wider than this may not fit a phone's card at the usual 1.75rem: it is fitted (fit_key)
FIT_MAX_EMS = 14


def value_ems(text: str) -> float:
    """How wide a metric's value is, in ems: "2.40人/社区" about 5.4, "68.1%" about 2.8."""
    return sum(_NARROW_EMS.get(c, 0.56 if c.isascii() else 1.0) for c in text)


def fit_key(text: str, name: str) -> str | None:
    """The key of a container that fits its metric's long value to the card (sw_fit<ems>_<name>); None for a short
    value, which keeps the usual size."""
    ems = value_ems(text)
    if ems <= FIT_EMS:
        return None
    return f"sw_fit{min(FIT_MAX_EMS, int(ems + 0.999))}_{name}"


def _fit_rules() -> str:
    """A long value at the size that fits its card's width (container units), never above the usual size."""
    return "\n".join(
        f'[class*="st-key-sw_fit{n}_"] [data-testid="stMetricValue"] '
        f"{{font-size: clamp(1rem, {92 / n:.1f}cqi, 2.25rem);}}"
        for n in range(int(FIT_EMS), FIT_MAX_EMS + 1)
    )


PAGE_CSS = f"""<style>
/* Room for figures: less empty margin around the page on a 1024-pixel projector and a phone. */
[data-testid="stMainBlockContainer"] {{padding: 3.5rem 2rem 4rem; max-width: 100%;}}
/* The title block stays short: the answers, not the title, fill the first screen (1366×768, a phone). */
[data-testid="stMainBlockContainer"] h1 {{font-size: 2.1rem; padding: 0 0 0.4rem;}}
[data-testid="stMainBlockContainer"] h4 {{padding: 0 0 0.5rem;}}
/* A status: a solid pill with a symbol and a word, legible on a projector. */
.sw-pill {{display: inline-block; padding: 0.05em 0.5em; border-radius: 0.35em; font-weight: 700;
  white-space: nowrap; line-height: 1.45;}}
{_pill_rules()}
/* Card and metric text wraps, never ends in "…"; values shrink with a narrow card (container units). A value never
   breaks inside itself ("2.40人/社 / 区"): it stays on one line, and a long one (fit_key) shrinks to fit its card. */
[data-testid="stMetric"] {{container-type: inline-size;}}
[data-testid="stMetricValue"] {{font-size: clamp(1.75rem, 16cqi, 2.25rem);}}
{_fit_rules()}
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] p {{
  white-space: nowrap !important; overflow: visible !important; text-overflow: clip !important;}}
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis, [data-testid="stMetricDelta"] p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;}}
/* The change and its "较上期" side by side where they fit, else "较上期" on a line of its own, never one character a
   line (a phone's "+0.3个百分点"). */
div:has(> [data-testid="stMetricDelta"]) {{flex-wrap: wrap; row-gap: 0.15rem;}}
[data-testid="stMetricDeltaDescription"] {{white-space: nowrap;}}
[data-testid="stMetric"] [data-testid="stCaptionContainer"],
[data-testid="stMetric"] [data-testid="stCaptionContainer"] p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}}
/* Streamlit pulls a markdown block's end up by 1rem (meant for a paragraph's margin): give it back. */
.sw-foot {{line-height: 1.5; margin-bottom: 1rem;}}
.sw-foot .sw-goal {{margin-left: 0.4em;}}
.sw-foot .sw-spark {{display: block; width: 100%; height: 3.75rem; margin: 0.1rem 0 0.75rem; overflow: visible;}}
.sw-foot ul {{margin: 0.35rem 0 0 1.1rem; padding: 0;}}
.sw-foot li {{margin: 0;}}
.sw-foot .sw-note {{color: #555; font-size: 0.9rem; margin-top: 0.3rem;}}
.sw-foot .sw-brief, .sw-foot .sw-card-more {{display: none;}}
.sw-foot ul + .sw-card-more + .sw-rest > ul {{margin-top: 0;}}  /* one list on a laptop, as before */
.sw-summary {{display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.2rem 0 1rem;}}
/* Card grids: as many ~12rem cards as fit (three at 1024 pixels, six at 1920), two to a row on a phone. */
[class*="st-key-sw_grid"] {{display: grid !important; gap: 0.75rem;
  grid-template-columns: repeat(auto-fill, minmax(11.5rem, 1fr));}}
/* The overview's five answers: five to a row where they fit, their answer in large type, the overdue in red. */
[class*="st-key-sw_grid_targets"] {{grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)) !important;}}
.st-key-sw_grid_headline {{grid-template-columns: repeat(3, minmax(0, 1fr)) !important;}}
.st-key-sw_grid_answers {{grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)) !important; gap: 0.5rem;}}
.st-key-sw_grid_answers [data-testid="stVerticalBlockBorderWrapper"] {{padding: 0.6rem;}}
.sw-answer .sw-q {{font-size: 0.95rem; color: #444; font-weight: 600;}}
.sw-answer .sw-a {{font-size: 1.45rem; font-weight: 700; line-height: 1.3; margin: 0.1rem 0 0.2rem;}}
.sw-answer.sw-bad .sw-a {{color: {STATUS_COLOURS["behind"]};}}
.sw-answer.sw-good .sw-a {{color: {STATUS_COLOURS["met"]};}}
.sw-answer ul {{margin: 0 0 0 1.1rem; padding: 0; font-size: 0.9rem; line-height: 1.4;}}
.sw-answer .sw-who {{font-size: 0.85rem; color: #555;}}
.sw-answer .sw-overdue {{color: {STATUS_COLOURS["behind"]}; font-weight: 600; font-size: 0.9rem;}}
/* A count that is bad news while above zero (overdue follow-ups): its value in the colour of 滞后. */
[class*="st-key-sw_alert_"] [data-testid="stMetricValue"] {{color: {STATUS_COLOURS["behind"]}; font-weight: 700;}}
/* Tables: one HTML table (tables.py), numbers right-aligned, text wraps, status cells as pills. */
.sw-table-wrap {{overflow-x: auto; margin: 0.25rem 0 0.75rem;}}
.sw-table-wrap .sw-scroll {{overflow-y: auto;}}
.sw-table {{border-collapse: collapse; width: 100%; font-size: 1rem; line-height: 1.4;}}
.sw-table th {{background: #e8eef5; text-align: left; padding: 0.35rem 0.4rem; font-weight: 700;
  position: sticky; top: 0; z-index: 1;}}
.sw-table td {{border-bottom: 1px solid #e2e2e2; padding: 0.3rem 0.4rem; vertical-align: top;}}
.sw-table .sw-num {{text-align: right; font-variant-numeric: tabular-nums;}}
.sw-table td.sw-num, .sw-table td.sw-short {{white-space: nowrap;}}
/* A table of many short columns (every target's answers) wraps them on a narrow screen rather than run off it. */
.sw-table.sw-wrap td.sw-short, .sw-table.sw-wrap th {{white-space: normal;}}
.sw-more {{display: none;}}
/* Side-by-side charts and tables need a wide screen: below 1280 pixels (a projector's 1024 with the sidebar
   leaves about 660) each takes the whole width instead of half of it. */
@media (max-width: 1279px) {{
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"]) {{flex-wrap: wrap;}}
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
    min-width: 100% !important; flex: 1 1 100% !important;}}
}}
/* The sidebar's fold script (SIDEBAR_FOLD) takes no room on the page. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] .sw-sidebar-fold),
[data-testid="stElementContainer"]:has(.sw-sidebar-fold) {{display: none;}}
/* The township filter at the top of the page, for a phone (the sidebar is folded away there). */
.st-key-sw_phone_filter {{display: none;}}
@media {PHONE} {{
  [data-testid="stMainBlockContainer"] {{padding: 3rem 0.75rem 3rem;}}
  [data-testid="stMainBlockContainer"] h1 {{font-size: 1.5rem;}}
  .st-key-sw_grid_headline, [class*="st-key-sw_grid_targets"] {{
    grid-template-columns: repeat(2, minmax(0, 1fr)) !important;}}
  /* A card on a phone: how far and will we make it, in brief (the forecast's method is in the page's note), in
     smaller type; 同比, 责任单位, the pace and the note one tap away (更多). */
  .sw-foot {{font-size: 0.9rem; line-height: 1.4;}}
  .sw-foot ul {{margin-left: 0.9rem;}}
  .sw-foot .sw-why {{display: none;}}
  .sw-foot .sw-brief {{display: inline;}}
  .sw-foot .sw-rest {{display: none;}}
  .sw-foot .sw-card-more {{display: block; margin: 0.15rem 0 0;}}
  .sw-foot .sw-card-more summary {{cursor: pointer; color: {PRIMARY}; font-weight: 600;}}
  .sw-foot .sw-card-more[open] + .sw-rest {{display: block;}}
  .sw-foot .sw-spark {{height: 2rem; margin-bottom: 0.5rem;}}  /* the trend line, shorter: its shape is what it says */
  [data-testid="stMainBlockContainer"] h4 {{font-size: 1rem;}}
  [class*="st-key-sw_grid"] {{grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem;}}
  [class*="st-key-sw_grid"] [data-testid="stVerticalBlockBorderWrapper"],
  [class*="st-key-sw_grid"] [data-testid="stMetric"] {{padding: 0.6rem;}}
  .st-key-sw_phone_filter {{display: block;}}
  .sw-more {{display: block; margin: 0.2rem 0;}}
  .sw-more summary {{cursor: pointer; color: {PRIMARY}; font-weight: 600;}}
  .sw-table .sw-x {{display: none;}}
  .sw-more[open] + .sw-scroll .sw-x {{display: table-cell;}}
  .js-plotly-plot .modebar-container {{display: none;}}
  /* A map's place names, at the projector's 16 pixels, run into each other on a phone's 350-pixel map. */
  .js-plotly-plot .geo .scatterlayer text {{font-size: {PHONE_MAP_LABEL_PX}px !important;}}
  /* The plan's timeline leaves its dates a third of a phone's width: every other year, level, not crowded. */
  .st-key-sw_timeline .xaxislayer-above .xtick:nth-child(even) {{display: none;}}
}}
</style>"""

SIDEBAR_FOLD_BELOW_PX = 1100  # a 1024-pixel projector keeps its width for the page; a 1366 laptop keeps the sidebar

# Streamlit's initial_sidebar_state="auto" folds the sidebar only at or below its own 768-pixel breakpoint, and
# remembers a reader's fold or unfold in localStorage ("stSidebarCollapsed-<page base>"). Below 1100 pixels this
# folds it once when the page is first opened, by the sidebar's own button, unless the reader has chosen before;
# the choice our click stored is taken back, so that only the reader's own is remembered. The » button opens it.
SIDEBAR_FOLD = f"""<div class="sw-sidebar-fold"></div><script>
(() => {{
  if (window.swSidebarFold || window.innerWidth >= {SIDEBAR_FOLD_BELOW_PX}) return;
  window.swSidebarFold = true;
  const chosen = () => Object.keys(window.localStorage).filter((k) => k.startsWith('stSidebarCollapsed-'));
  if (chosen().length) return;
  let tries = 0;
  const timer = setInterval(() => {{
    const bar = document.querySelector('[data-testid="stSidebar"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (bar && bar.getAttribute('data-collapsed') === 'false' && button) {{
      button.click();
      chosen().forEach((k) => window.localStorage.removeItem(k));
    }}
    if ((bar && bar.getAttribute('data-collapsed') === 'true') || ++tries > 50) clearInterval(timer);
  }}, 100);
}})();
</script>"""
