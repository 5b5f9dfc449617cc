"""Every text in every widget of the toolkit tour reaches WCAG AA contrast, in light and dark.

The tour (``notebooks/00_toolkit_tour.ipynb``, outputs removed, plus one invalid playground so
that its error text is on the page) runs live in JupyterLab and in Notebook 7. Then, in
"JupyterLab Light" and again after switching to "JupyterLab Dark"
(``apputils:change-theme``), the page measures every visible text node inside every widget
view (``.jupyter-widgets``, each tab of ``inspect`` in turn): the computed text colour, blended
over the effective background (the backgrounds of its ancestors blended down to the page, or,
for SVG text, the filled shape under it), then WCAG's contrast ratio from relative luminance.
Any text below 4.5:1 fails the test, listed with its colours. Disabled controls are exempt
(WCAG 1.4.3: inactive user-interface components).

Example:
    .venv/bin/python -m pytest tests/browser/test_contrast.py
"""

from __future__ import annotations

import time

import pytest
from jupyter_pages import TOUR, TOUR_DONE, TOUR_EXTRA_CELLS, copy_without_outputs, open_and_run

FRONT_ENDS = {"lab": "lab/workspaces/contrast/tree/{name}", "notebook7": "notebooks/{name}"}
THEMES = ("JupyterLab Light", "JupyterLab Dark")
AA = 4.5


# Measures every visible text node of every widget view; returns the ones below `aa`.
_MEASURE = r"""(aa) => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a), a: 1});
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const htmlBackground = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg && bg.a > 0) { layers.push(bg); if (bg.a >= 1) break; }
    }
    let c = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) c = over(layers[i], c);
    return c;
  };
  // SVG text: the last filled shape painted before it whose box holds its centre (Graphviz
  // draws a node's fills, then its texts), over the page behind the drawing
  const svgBackground = (el) => {
    const svg = el.ownerSVGElement, t = el.getBBox();
    const cx = t.x + t.width / 2, cy = t.y + t.height / 2;
    let c = htmlBackground(svg);
    for (const s of svg.querySelectorAll('path, polygon, rect, ellipse, circle')) {
      if (!(s.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
      const fill = parse(getComputedStyle(s).fill);
      if (!fill || fill.a === 0) continue;
      const b = s.getBBox();
      if (cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height) c = over(fill, c);
    }
    return c;
  };
  const opacity = (el) => { let o = 1; for (let e = el; e; e = e.parentElement)
                              o *= Number(getComputedStyle(e).opacity); return o; };
  const roots = Array.from(document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets'))
    .filter(e => !e.parentElement.closest('.jupyter-widgets'));
  const bad = []; let measured = 0;
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('option, style, script')) continue;
      if (el.closest(':disabled, .mod-disabled, [disabled]')) continue;  // inactive: exempt
      const range = document.createRange(); range.selectNodeContents(node);
      const rect = range.getBoundingClientRect();
      if (rect.width < 1 || rect.height < 1) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      const isSvg = el instanceof SVGElement;
      const background = isSvg ? svgBackground(el) : htmlBackground(el);
      let color = parse(isSvg ? style.fill : style.color);
      if (!color) continue;
      color = {...color, a: color.a * opacity(el)};
      const value = ratio(over(color, background), background);
      measured += 1;
      if (value < aa) bad.push({text: text.slice(0, 40), ratio: Math.round(value * 100) / 100,
        color: isSvg ? style.fill : style.color,
        background: [background.r, background.g, background.b].map(Math.round).join(','),
        where: (el.closest('[class*="klens"], [class*="keras-lens"]') || el).className.baseVal
               ?? (el.closest('[class*="klens"], [class*="keras-lens"]') || el).className});
    }
  }
  return {roots: roots.length, measured, bad};
}"""


def _measure_all_tabs(page) -> dict:
    """Measure, then once more with each tab of every tab widget selected."""
    result = page.evaluate(_MEASURE, AA)
    tabs = page.locator(".jupyter-widget-tab .lm-TabBar-tab")
    for i in range(tabs.count()):
        tabs.nth(i).scroll_into_view_if_needed()
        tabs.nth(i).click()
        time.sleep(0.5)
        more = page.evaluate(_MEASURE, AA)
        result["measured"] += more["measured"]
        result["bad"] += more["bad"]
    return result


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def tour_page(request, jupyter_server, browser_context, artifacts_dir):
    """The tour with an invalid playground, run: in JupyterLab conftest's shared ``lab_tour``,
    in Notebook 7 a page of this module's own."""
    front_end = request.param
    if front_end == "lab":
        page = request.getfixturevalue("lab_tour").page
    else:
        name = f"contrast_{front_end}.ipynb"
        copy_without_outputs(TOUR, jupyter_server.root / name, TOUR_EXTRA_CELLS)
        path = FRONT_ENDS[front_end].format(name=name)
        page = open_and_run(
            jupyter_server,
            browser_context,
            artifacts_dir,
            f"{front_end}-contrast",
            path,
            TOUR_DONE,
            page_timeout_ms=20_000,
        ).page
    page.wait_for_function(
        "document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length >= 7"
    )
    time.sleep(1.0)
    yield front_end, page
    page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})"
    )
    if front_end != "lab":  # the shared tour stays open for other modules
        page.close()


@pytest.mark.parametrize("theme", THEMES)
def test_every_widget_text_reaches_aa_contrast(tour_page, theme, artifacts_dir):
    front_end, page = tour_page
    page.evaluate(
        "async (theme) => { await window.jupyterapp.commands.execute("
        "'apputils:change-theme', {theme}); }",
        theme,
    )
    light = "true" if theme.endswith("Light") else "false"
    page.wait_for_function(f"document.body.dataset.jpThemeLight === '{light}'", timeout=20_000)
    time.sleep(1.5)  # the theme's CSS is swapped in
    slug = theme.split()[-1].lower()
    graph = page.locator(".jp-OutputArea-output .keras-lens", has=page.locator(".keras-lens-svg"))
    graph.first.scroll_into_view_if_needed()
    graph.first.screenshot(path=str(artifacts_dir / f"{front_end}-graph-{slug}.png"))
    result = _measure_all_tabs(page)
    page.screenshot(path=str(artifacts_dir / f"{front_end}-contrast-{slug}.png"))
    assert result["roots"] >= 7, f"{front_end}: only {result['roots']} widget views on the page"
    assert result["measured"] > 200, f"{front_end}: only {result['measured']} texts measured"
    worst = sorted(result["bad"], key=lambda b: b["ratio"])[:15]
    assert not result["bad"], (
        f"{front_end}, {theme}: {len(result['bad'])} of {result['measured']} texts below "
        f"{AA}:1, e.g. {worst}"
    )
