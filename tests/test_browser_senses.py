"""The Senses page, the linked Compare maps and axes made of words, in Debian's Chromium against
`streamlit run app.py` (the fixtures of test_browser.py), at a laptop's 1366 x 768."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402
from test_browser import CHROMIUM, SHOTS, assert_clean, settle  # noqa: E402

server, browser, page = tb.server, tb.browser, tb.page  # its fixtures: one server for this module

pytestmark = [pytest.mark.browser, pytest.mark.slow,  # the default run keeps one walk of every page (test_browser)
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
LAPTOP = {"width": 1366, "height": 768}


def shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def chart_data(pg, n, trace):
    return pg.evaluate("""([n, name]) => { const gd = document.querySelectorAll('.js-plotly-plot')[n];
      const t = (gd._fullData || []).find(d => d.name && d.name.startsWith(name));
      return t ? {text: Array.from(t.text || []), x: Array.from(t.x || [])} : null; }""", [n, trace])


@pytest.mark.slow
def test_the_bat_problem_side_by_side(server, page):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{server}/Senses", timeout=120_000)
    page.wait_for_selector("text=Nearest labelled uses at layer", timeout=180_000)
    settle(page)
    assert_clean(page)
    body = page.inner_text("body")
    assert "one vector for “bat”" in body
    assert body.count("Nearest labelled uses at layer") == 3
    assert "with different senses" in body
    shot(page, "senses")
    page.get_by_text("Which layer tells the senses apart?").scroll_into_view_if_needed()
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    curve = chart_data(page, 0, "nearest use")
    chance = chart_data(page, 0, "chance")
    assert curve and chance and max(curve["x"]) >= 1
    shot(page, "senses-curve")


def test_a_cluster_selected_on_glove_is_ringed_in_the_encoders_space(server, page):
    from plotly_gestures import drag, point_xy, use_tool

    page.set_viewport_size(LAPTOP)
    page.goto(f"{server}/Compare", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length == 2", timeout=180_000)
    settle(page)
    assert_clean(page)
    use_tool(page, "Box Select", chart=0)
    fruits = [point_xy(page, "fruits", i, chart=0) for i in range(len(chart_data(page, 0, "fruits")["text"]))]
    xs, ys = [p[0] for p in fruits], [p[1] for p in fruits]
    word = fruits[0][2]
    drag(page, min(xs) - 12, min(ys) - 12, max(xs) + 12, max(ys) + 12)  # the fruits' corner of the GloVe map
    page.wait_for_function("""w => { const gds = document.querySelectorAll('.js-plotly-plot');
        return gds.length == 2 && [...gds].every(gd => (gd._fullData || []).some(t => t.name.startsWith('selected (')
        && Array.from(t.text).includes(w))); }""", arg=word, timeout=60_000)
    settle(page)
    assert_clean(page)
    right = chart_data(page, 1, "selected (")
    assert word in right["text"] and len(right["text"]) >= 3
    assert "selected: they share" in page.inner_text("body")
    page.locator(".js-plotly-plot").nth(0).scroll_into_view_if_needed()
    shot(page, "compare")


def test_axes_made_of_words_put_queen_right_of_king(server, page):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{server}/Projections?projections_words=king+queen", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=180_000)
    settle(page)
    page.get_by_text("Axes made of words").click()
    page.wait_for_function("""() => { const gd = document.querySelector('.js-plotly-plot');
        return gd && gd.layout && gd.layout.title && String(gd.layout.title.text || gd.layout.title).includes('man → woman'); }""",
                           timeout=60_000)
    settle(page)
    assert_clean(page)
    yours = chart_data(page, 0, "yours")
    x = dict(zip(yours["text"], yours["x"]))
    assert x["queen"] > x["king"]
    assert "axes made of random word pairs" in page.inner_text("body")
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    shot(page, "axes")


def test_the_word_picker_shows_the_word_the_results_are_about(server, page):
    page.set_viewport_size(LAPTOP)
    page.goto(f"{server}/Senses", timeout=120_000)
    page.wait_for_selector("text=Nearest labelled uses at layer", timeout=180_000)
    settle(page)
    tb.type_into(page, page.locator("[data-testid='stMain'] textarea").first,
                 "The bank by the river was muddy.\nShe took money from the bank.")
    page.wait_for_selector("text=one vector for “bank”", timeout=120_000)
    settle(page)
    assert_clean(page)
    shown = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.evaluate(
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert "bank (" in shown and "bat" not in shown, shown


LABEL_BOXES = """() => { const gd = document.querySelector('.js-plotly-plot');
  const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
  return {area: [area.left, area.top, area.right, area.bottom],
          labels: [...gd.querySelectorAll('.textpoint text')].map(t => { const r = t.getBoundingClientRect();
            return [t.textContent, r.left, r.top, r.right, r.bottom]; })}; }"""


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_the_home_figure_labels_stand_apart(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server, timeout=120_000)
    page.wait_for_selector(".js-plotly-plot .textpoint text", timeout=120_000)
    settle(page)
    got = page.evaluate(LABEL_BOXES)
    labels = got["labels"]
    assert len(labels) == 21
    clash = [(a[0], b[0]) for i, a in enumerate(labels) for b in labels[:i]
             if a[1] < b[3] - 1 and b[1] < a[3] - 1 and a[2] < b[4] - 1 and b[2] < a[4] - 1]
    x0, y0, x1, y1 = got["area"]
    outside = [a[0] for a in labels if a[1] < x0 - 2 or a[3] > x1 + 2 or a[2] < y0 - 2 or a[4] > y1 + 2]
    shot(page, f"home-{width}")
    assert not clash and not outside, (clash, outside)


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_the_method_choices_fit_on_one_line(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server}/Projections?projections_kind=The+whole+vocabulary", timeout=120_000)
    page.wait_for_selector("[data-testid='stRadio']", timeout=120_000)
    settle(page)
    tops = page.locator("[data-testid='stRadio']").filter(has_text="Method").first.evaluate(
        "e => [...e.querySelectorAll('label')].filter(l => l.innerText.trim()).map(l => [l.innerText.trim(), "
        "Math.round(l.getBoundingClientRect().top)])")
    names = [t for t, _ in tops]
    assert {"PCA", "t-SNE", "UMAP"} <= set(names), tops
    assert len({top for name, top in tops if name != "Method"}) == 1, tops
