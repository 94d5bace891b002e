"""Driving a Plotly chart in Chromium the way a person does: through the modebar's buttons and the
mouse. Shared by the browser tests and benchmarks/map_clicks.py."""

CHART_SHOWS = """([trace, text]) => [...document.querySelectorAll('.js-plotly-plot')].some(gd => (gd.data || [])
  .some(t => t.name && t.name.startsWith(trace) && (!text || (t.text || []).includes(text))))"""


def point_xy(pg, trace: str, k: int = 0, chart: int = 0) -> tuple[float, float, str]:
    """Screen position and label of point ``k`` of the trace named ``trace`` (its chart scrolled into view)."""
    pg.locator(".js-plotly-plot").nth(chart).scroll_into_view_if_needed()
    pg.wait_for_timeout(300)
    return tuple(pg.evaluate("""([name, k, n]) => { const gd = document.querySelectorAll('.js-plotly-plot')[n];
      const t = gd._fullData.find(d => d.name === name || d.name.startsWith(name));
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
      return [r.left + xa.l2p(t.x[k]), r.top + ya.l2p(t.y[k]), t.text[k]]; }""", [trace, k, chart]))


def plot_area(pg, chart: int = 0) -> dict:
    """The plotting area's box on screen: x, y, width, height."""
    return pg.evaluate("""n => { const r = document.querySelectorAll('.js-plotly-plot')[n].querySelector('.nsewdrag')
      .getBoundingClientRect(); return {x: r.left, y: r.top, width: r.width, height: r.height}; }""", chart)


def use_tool(pg, title: str, chart: int = 0) -> None:
    """Press a modebar button ("Box Select", "Lasso Select", "Zoom", "Pan")."""
    pg.locator(".js-plotly-plot").nth(chart).hover()
    pg.locator(".js-plotly-plot").nth(chart).locator(f".modebar-btn[data-title='{title}']").click()


def _inside(pg, x: float, y: float) -> tuple[float, float]:
    a = plot_area(pg)
    return min(max(x, a["x"] + 3), a["x"] + a["width"] - 3), min(max(y, a["y"] + 3), a["y"] + a["height"] - 3)


def lasso(pg, cx: float, cy: float, r: float, *, release: bool = True) -> None:
    """Draw a lasso (an octagon of radius ``r`` pixels around (cx, cy), kept inside the plotting area);
    the Lasso Select tool must be on. ``release=False`` leaves the mouse button down."""
    import math

    pts = [_inside(pg, cx + r * math.cos(a * math.pi / 4), cy + r * math.sin(a * math.pi / 4)) for a in range(9)]
    pg.mouse.move(*pts[0])
    pg.mouse.down()
    for p in pts[1:]:
        pg.mouse.move(*p, steps=3)
    if release:
        pg.mouse.up()


def drag(pg, x0: float, y0: float, x1: float, y1: float, *, release: bool = True) -> None:
    """Drag from (x0, y0) to (x1, y1), kept inside the plotting area: a box with Box Select on.
    ``release=False`` leaves the mouse button down."""
    x0, y0 = _inside(pg, x0, y0)
    x1, y1 = _inside(pg, x1, y1)
    pg.mouse.move(x0, y0)
    pg.mouse.down()
    pg.mouse.move(x1, y1, steps=6)
    if release:
        pg.mouse.up()
