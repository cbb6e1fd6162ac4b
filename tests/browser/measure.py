"""What a page looks like, measured in the browser: text cut or ellipsised, elements outside the viewport, chart
text smaller than a projector needs, status pills too pale to survive one (issue 16)."""

from __future__ import annotations

# Every problem as a short string naming the element and what is wrong; empty when the page is fit for the room.
# Only what is visible is measured: the sidebar (folded or hidden at these sizes) and hidden elements are not.
MEASURE = r"""
({minChartPx}) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const name = (e) => {
    const id = e.getAttribute('data-testid') || e.getAttribute('class') || e.tagName;
    return `${e.tagName.toLowerCase()}[${String(id).slice(0, 40)}] "${(e.textContent || '').trim().slice(0, 30)}"`;
  };
  const shown = (e) => {
    if (e.closest('[data-testid="stSidebar"]')) return false;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    for (let a = e; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false;
    }
    return true;
  };
  // Text cut short: an element that hides or scrolls what overflows it sideways while its content is wider.
  for (const e of main.querySelectorAll('*')) {
    if (e instanceof SVGElement || e.closest('.js-plotly-plot')) continue;
    const s = getComputedStyle(e);
    const cuts = ['hidden', 'clip', 'auto', 'scroll'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
    if (cuts && e.scrollWidth > e.clientWidth + 1 && (e.textContent || '').trim() && shown(e)) {
      problems.push(`cut: ${name(e)} ${e.scrollWidth}>${e.clientWidth}`);
    }
  }
  // Outside the viewport sideways: text-bearing leaves, buttons, metric values, table cells.
  const leaves = main.querySelectorAll(
    'button, [data-testid="stMetricValue"], [data-testid="stMetricLabel"], td, th, h1, h2, h3, h4, p, li, .sw-pill');
  for (const e of leaves) {
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.right > vw + 1 || r.left < -1) {
      problems.push(`outside: ${name(e)} ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
    }
  }
  // Charts: every text at least minChartPx, and inside its chart.
  for (const chart of main.querySelectorAll('.js-plotly-plot')) {
    if (!shown(chart)) continue;
    const box = chart.getBoundingClientRect();
    for (const t of chart.querySelectorAll('text')) {
      if (!(t.textContent || '').trim()) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0 || getComputedStyle(t).display === 'none' || getComputedStyle(t).opacity === '0') continue;
      if (t.closest('.hoverlayer')) continue;
      const px = parseFloat(getComputedStyle(t).fontSize);
      if (minChartPx && px < minChartPx - 0.01) {
        problems.push(`small chart text: "${t.textContent.slice(0, 20)}" ${px}px`);
      }
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        problems.push(`chart text cut: "${t.textContent.slice(0, 20)}"`);
      }
    }
    // Category names on the y axis, one under the other: the ink of none may run into the next. A Chinese
    // font's line box is about 1.45 em; the glyphs fill the middle em of it.
    const ticks = [...chart.querySelectorAll('.yaxislayer-above .ytick text')].map((t) => {
      const r = t.getBoundingClientRect();
      const lines = Math.max(1, t.querySelectorAll('tspan.line').length);
      const pad = Math.max(0, (r.height / lines - parseFloat(getComputedStyle(t).fontSize)) / 2);
      return {top: r.top + pad, bottom: r.bottom - pad, height: r.height};
    }).filter((r) => r.height > 0).sort((a, b) => a.top - b.top);
    for (let i = 1; i < ticks.length; i++) {
      if (ticks[i].top < ticks[i - 1].bottom - 1) { problems.push('axis labels overlap'); break; }
    }
    if (chart.querySelector('.modebar-container') && shown(chart.querySelector('.modebar-container'))) {
      problems.push('plotly toolbar shown');
    }
  }
  return problems;
}
"""

# Every status pill: its fill, text colour and text, for the strength check in Python.
PILLS = r"""
() => [...document.querySelectorAll('[data-testid="stMain"] .sw-pill')]
  .filter((e) => e.getBoundingClientRect().width > 0)
  .map((e) => ({text: e.textContent.trim(), fill: getComputedStyle(e).backgroundColor, ink: getComputedStyle(e).color}))
"""

STATUS_SYMBOLS = ("✓", "→", "△", "!", "✗", "·")


def _channels(css: str) -> tuple[float, float, float]:
    """rgb(…)/rgba(…) → 0..1 channels; a transparent fill counts as the white page."""
    numbers = [float(n) for n in css[css.index("(") + 1 : css.index(")")].replace("/", ",").split(",")]
    if len(numbers) == 4 and numbers[3] < 1:
        alpha = numbers[3]
        return tuple((alpha * c + (1 - alpha) * 255) / 255 for c in numbers[:3])  # type: ignore[return-value]
    return tuple(c / 255 for c in numbers[:3])  # type: ignore[return-value]


def luminance(css: str) -> float:
    """WCAG relative luminance of a CSS colour."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in _channels(css)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def weak_pills(pills: list[dict]) -> list[str]:
    """Pills a projector would wash out: text without a symbol, text hard to read on its fill, or a fill so pale
    it hardly differs from the white page (a 20 % tint has a contrast of about 1.2 with white)."""
    weak = []
    for p in pills:
        if not p["text"].startswith(STATUS_SYMBOLS):
            weak.append(f"no symbol: {p['text']}")
        if contrast(p["fill"], p["ink"]) < 4.5:
            weak.append(f"text hard to read on its fill: {p['text']} {p['fill']} {p['ink']}")
        if contrast(p["fill"], "rgb(255, 255, 255)") < 1.8:
            weak.append(f"fill too pale: {p['text']} {p['fill']}")
    return weak
