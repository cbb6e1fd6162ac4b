"""Charts fitted to the screen they are shown on, which may be as narrow as a 390-pixel phone: plotly never wraps
a title or a category name by itself, it runs them off the chart, so long ones are broken onto lines here."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from socialwork.present.words.plaintext import html_text

TITLE_CHARS, NOTE_CHARS, TICK_CHARS = 15, 20, 10  # what fits a 390-pixel phone at 22 and 16 pixels a character
_BREAK_AFTER, _BREAK_BEFORE = "｜·，：、；）", "（"


def wrap_lines(text: str, width: int) -> list[str]:
    """Text on lines of about width characters, broken after ｜ · ， ： ） or before （ where one is near."""
    lines, rest = [], text
    while len(rest) > width:
        near = [i for i in range(width // 2, width + 1) if rest[i - 1] in _BREAK_AFTER or rest[i] in _BREAK_BEFORE]
        cut = near[-1] if near else width
        lines.append(rest[:cut])
        rest = rest[cut:]
    return [*lines, rest] if rest else lines


def wrap_text(shown: str, width: int) -> str:
    """Escaped plotly text (titled(), labels()) longer than width on several lines (<br>); the breaks fall between
    characters as read, never inside an entity such as &lt;. Text already holding a <br> is left as it is."""
    if "<br>" in shown or len(html.unescape(shown)) <= width:
        return shown
    return "<br>".join(html_text(line) for line in wrap_lines(html.unescape(shown), width))


PREPARED = "for_screen"  # the layout.meta key that marks a figure already prepared


def for_screen(fig: go.Figure) -> go.Figure:
    """The figure as a page shows it, where it may be as narrow as a phone: long titles, notes and category names
    wrapped (a plotly title never wraps by itself, it runs off the chart), the top margin grown to hold them."""
    title = fig.layout.title
    if title.text:
        wrapped = wrap_text(title.text, TITLE_CHARS)
        note = title.subtitle.text
        wrapped_note = wrap_text(note, NOTE_CHARS) if note else note
        lines = wrapped.count("<br>")
        extra = 30 * lines + 20 * (wrapped_note or "").count("<br>")
        # plotly anchors a title's first line, not its block: each further line needs as much padding above.
        # Set as attributes: update_layout(title_text=…) parses its magic underscores, a millisecond a call.
        title.text, title.pad.t = wrapped, 12 + 28 * lines
        if note:
            title.subtitle.text = wrapped_note
        if extra:
            fig.layout.margin.t = (fig.layout.margin.t or 100) + extra
    rows = [
        y for trace in fig.data if getattr(trace, "orientation", None) == "h" and trace.y is not None for y in trace.y
    ]
    given, texts = fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext  # a builder's own names for the rows
    names = list(given) if given is not None else list(dict.fromkeys(y for y in rows if isinstance(y, str)))
    shown = list(texts) if texts is not None else names
    if any(len(html.unescape(str(name))) > TICK_CHARS for name in shown):
        wrapped = [wrap_text(str(name), TICK_CHARS) for name in shown]
        fig.update_yaxes(tickvals=names, ticktext=wrapped)
        _room_for_lines(fig, max(name.count("<br>") + 1 for name in wrapped), len(names))
    fig.layout.meta = {**(fig.layout.meta if isinstance(fig.layout.meta, dict) else {}), PREPARED: True}
    return fig


LINE_PX = 21  # a line of 16-pixel axis text


def _room_for_lines(fig: go.Figure, lines: int, rows: int) -> None:
    """A taller chart when category names take several lines, so that each row holds its name."""
    height = fig.layout.height or 450
    margins = (fig.layout.margin.t or 100) + (fig.layout.margin.b or 50) + 40  # the axis ticks and title below
    pitch, needed = (height - margins) / max(rows, 1), LINE_PX * lines + 6
    if pitch < needed:
        fig.update_layout(height=round(height + rows * (needed - pitch)))
