"""The app in a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py`
on 127.0.0.1. Every page renders its charts with no error box; markup typed into every text field
shows literally and injects nothing; a copied link reopens the same picture."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

import embedviz as ev
from ui import pages

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # plotly_gestures
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
VECTOR_DIR = Path(tempfile.mkdtemp(prefix="embedviz-vectors-"))  # the one folder the test server may read
# A page before the landing page: on a fresh server, the first visit is a shared link to a page,
# and it must still go through app.py's navigation.
PAGES = ["Tokens", ""] + [p.slug for p in pages.PAGES if p.slug != "Tokens"]  # Tokens first: see above
PAYLOADS = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>",
            "[click](javascript:window.__pwned=3)", "**bold** _it_ <b>b</b>"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", EMBEDVIZ_CACHE=str(tmp_path_factory.mktemp("cache")),
               EMBEDVIZ_VECTOR_DIRS=str(VECTOR_DIR), EMBEDVIZ_MAPS="pca")  # no minute-long UMAP build behind the walks
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read()[-2000:])
    yield url
    proc.terminate()  # SIGTERM: the server must stop by itself, whatever its sessions were doing
    try:
        out = proc.communicate(timeout=15)[0]
        stopped = True
    except subprocess.TimeoutExpired:
        proc.kill()
        out, stopped = proc.communicate()[0], False
    assert stopped, "the server did not stop on SIGTERM"
    assert "Traceback" not in out, out[-3000:]
    assert "Already borrowed" not in out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ctx.close()


def settle(pg, timeout=90_000):
    """Wait until the script run has finished (Streamlit marks its root with the run state)."""
    pg.wait_for_timeout(500)
    pg.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    pg.wait_for_timeout(200)


def assert_clean(pg):
    assert pg.locator("[data-testid='stException']").count() == 0
    assert pg.locator("[data-testid='stAlertContentError']").count() == 0, pg.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert pg.evaluate("window.__pwned === undefined")
    assert not pg.dialogs


LABELS_CUT = """() => {
  const cut = [];
  document.querySelectorAll('.js-plotly-plot').forEach(plot => {
    const svg = plot.querySelector('.main-svg');
    if (!svg) return;
    const box = svg.getBoundingClientRect();
    if (box.width === 0) return;
    plot.querySelectorAll('g[class*="tick"] > text, .g-xtitle text, .g-ytitle text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (r.width === 0 || !t.textContent) return;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        cut.push(t.textContent);
    });
  });
  return cut;
}"""


def assert_labels_whole(pg):
    """Every axis label of every drawn figure lies inside its figure: none is cut off."""
    assert pg.evaluate(LABELS_CUT) == []


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders(server, page, name):
    page.goto(f"{server}/{name}", timeout=120_000)
    page.wait_for_selector("h1", timeout=120_000)
    settle(page)
    assert_clean(page)
    page.wait_for_selector("[data-testid='stSidebarNav'] >> text=Home", timeout=30_000)  # app.py's navigation
    if name in ("Layers", "Context", "Projections", "Train", "Static_vectors", "Sentences", "Attention"):
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    elif name:
        page.wait_for_selector("[data-testid='stDataFrame']", timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name or 'home'}.png"), full_page=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", [p for p in PAGES if p and p != "Story"])  # Story types only in its dialog (test_story)
def test_markup_in_every_text_field_shows_literally(server, page, name):
    page.goto(f"{server}/{name}", timeout=120_000)
    page.wait_for_selector("h1", timeout=120_000)
    settle(page)
    main = page.locator("[data-testid='stMain']")
    fields = main.locator("[data-testid='stTextArea'] textarea, [data-testid='stTextInput'] input")
    fields.first.wait_for(timeout=60_000)  # widgets render a moment after the run ends
    tabs = main.locator("[role='tab']")
    typed = 0
    for t in range(max(tabs.count(), 1)):
        if tabs.count():
            tabs.nth(t).click()
            page.wait_for_timeout(300)
        for i in range(fields.count()):
            f = fields.nth(i)
            if not f.is_visible() or not f.is_editable():
                continue
            f.fill(" ".join(PAYLOADS))
            f.press("Control+Enter" if f.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
            settle(page)
            typed += 1
            assert_clean(page)
            assert page.locator("[data-testid='stMain'] img[src='x']").count() == 0
            assert page.locator("[data-testid='stMain'] b:text-is('b')").count() == 0
            assert page.locator("[data-testid='stMain'] strong:text-is('bold')").count() == 0  # Markdown stays literal
            assert page.locator("[data-testid='stMain'] a[href^='javascript']").count() == 0
    assert typed >= 1
    if name == "Tokens":
        fields.first.fill(PAYLOADS[0])
        fields.first.press("Control+Enter")
        settle(page)
        assert "&lt;" not in page.locator(".ev-chip").all_inner_texts()[1]
        assert page.locator(".ev-chip", has_text="<").count() >= 1  # the '<' is shown as a character


@pytest.mark.slow
def test_a_copied_link_reopens_the_same_picture(server, page):
    page.goto(f"{server}/Context", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    area = page.locator("[data-testid='stMain'] textarea").first
    area.fill("A bat flew out of the cave.\nHe swung the baseball bat.")
    area.press("Control+Enter")
    settle(page)
    page.wait_for_function("location.search.includes('context_text=')", timeout=30_000)
    link = page.url
    assert "bat" in link and "context_text=" in link
    fresh = page.context.new_page()
    fresh.goto(link, timeout=120_000)
    fresh.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(fresh)
    fresh.locator(".js-plotly-plot", has_text="bat (flew) ~ bat (baseball)").first.wait_for(timeout=60_000)


@pytest.mark.slow
def test_tour_link_opens_the_step(server, page):
    page.goto(server, timeout=120_000)
    page.wait_for_selector("h1", timeout=120_000)
    settle(page)
    page.get_by_text("6. king - man + woman").click()
    page.wait_for_selector("text=3CosAdd", timeout=120_000)  # the Analogies tab is the one open
    settle(page)
    assert "Static_vectors" in page.url and "vectors_tab=Analogies" in page.url
    parallelogram = page.locator(".js-plotly-plot", has_text="parallelogram")
    parallelogram.wait_for(state="visible", timeout=60_000)  # charts draw a moment after the run ends
    assert "queen" in parallelogram.inner_text()
    assert_clean(page)


@pytest.mark.slow
def test_uploading_vector_files(server, page, tmp_path):
    good = tmp_path / "tiny_glove.txt"
    good.write_text("king 0.9 0.1 0.3\nqueen 0.8 0.2 0.9\nman 0.7 0.0 0.1\nwoman 0.6 0.1 0.7\napple 0.0 0.9 0.0\n")
    bad = tmp_path / "broken.txt"
    bad.write_text("king 0.9 0.1 0.3\nqueen 0.8\n")
    page.goto(f"{server}/Static_vectors?vec_source=Upload+a+file", timeout=120_000)
    uploader = page.locator("[data-testid='stSidebar'] [data-testid='stFileUploaderDropzoneInput']")
    uploader.wait_for(state="attached", timeout=120_000)
    settle(page)
    uploader.set_input_files(str(good))
    page.wait_for_selector("text=Using: ", timeout=60_000)
    page.wait_for_selector("text=tiny_glove.txt (5 words, uploaded)", timeout=60_000)  # the user's name for it
    settle(page)
    assert_clean(page)
    uploader.set_input_files(str(bad))
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
    assert "broken.txt, line 2" in page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_selector("text=Still using: tiny_glove.txt (5 words, uploaded)", timeout=60_000)  # nothing lost


@pytest.mark.slow
def test_figure_and_numbers_download(server, page):
    page.goto(f"{server}/Layers", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name="Numbers (CSV)").first.click()
    rows = Path(got.value.path()).read_text().splitlines()
    assert rows[0] == ",value" and len(rows) == 385  # one value per hidden dimension
    settle(page)
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name="Figure (HTML)").first.click()
    assert "plotly" in Path(got.value.path()).read_text()[:5000].lower()


def sidebar_source(pg) -> str:
    return pg.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']", has_text="Using").first.inner_text()


@pytest.mark.slow
def test_glove_6b_is_the_default_and_its_score_is_in_sight(server, page):
    page.goto(f"{server}/Static_vectors?vectors_tab=Analogies", timeout=120_000)
    page.wait_for_selector("text=3CosAdd", timeout=120_000)
    settle(page)
    assert "GloVe 6B 50d (400,000 words, 50 dims)" in sidebar_source(page)
    assert "queen" in page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']", has_text="::").first.inner_text()
    page.get_by_role("tab", name="Benchmarks").click()
    page.wait_for_selector("text=answered 19,486 of 19,544 questions", timeout=120_000)
    settle(page)
    assert_clean(page)


@pytest.mark.slow
def test_the_vector_source_holds_from_page_to_page(server, page):
    (VECTOR_DIR / "tiny.txt").write_text("king 0.9 0.1 0.3\nqueen 0.8 0.2 0.9\nman 0.7 0.0 0.1\nwoman 0.6 0.1 0.7\n"
                                         "car 0.0 0.9 0.0\nbike 0.1 0.8 0.1\n")
    page.goto(f"{server}/Static_vectors", timeout=120_000)
    page.wait_for_selector("h1", timeout=120_000)
    settle(page)
    page.locator("[data-testid='stSidebar']").get_by_text("A file on this machine").click()
    settle(page)
    field = page.locator("[data-testid='stSidebar'] input[type='text']").last
    field.fill(str(VECTOR_DIR / "tiny.txt"))
    field.press("Enter")
    settle(page)
    assert "tiny.txt (6 words" in sidebar_source(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_text("Tokens").click()  # a page without static vectors in between
    settle(page)
    nav.get_by_text("Projections").click()
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    assert "tiny.txt (6 words" in sidebar_source(page)
    assert_clean(page)


def type_into(pg, locator, text):
    locator.fill(text)
    locator.press("Control+Enter" if locator.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
    settle(pg)


@pytest.mark.slow
def test_the_tour_shows_its_example_after_the_visitor_typed(server, page):
    page.goto(f"{server}/Tokens", timeout=120_000)
    page.wait_for_selector(".ev-chip", timeout=120_000)
    settle(page)
    type_into(page, page.locator("[data-testid='stMain'] textarea").first, "My own words about cats.")
    page.wait_for_selector(".ev-chip:text-is('cats')", timeout=60_000)
    page.goto(f"{server}/Static_vectors?vectors_tab=Analogies", timeout=120_000)
    page.wait_for_selector("text=3CosAdd", timeout=120_000)
    settle(page)
    type_into(page, page.get_by_label("c", exact=True), "girl")
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Home").click()
    settle(page)
    page.get_by_text("1. Tokens").click()
    page.wait_for_selector(".ev-chip:text-is('##bed')", timeout=120_000)  # the step's own sentence, not the typed one
    settle(page)
    assert page.locator(".ev-chip:text-is('cats')").count() == 0
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Home").click()
    settle(page)
    page.get_by_text("6. king - man + woman").click()
    page.wait_for_selector("text=3CosAdd", timeout=120_000)
    settle(page)
    assert page.get_by_label("c", exact=True).input_value() == "woman"
    assert "queen" in page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']", has_text="::").first.inner_text()
    assert_clean(page)


@pytest.mark.slow
def test_an_example_button_restores_its_text_after_editing(server, page):
    page.goto(f"{server}/Context", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    page.get_by_role("button", name="The bat pair").click()
    settle(page)
    area = page.locator("[data-testid='stMain'] textarea").first
    assert "bat" in area.input_value()
    type_into(page, area, area.input_value() + "\nA bank by the river.")
    page.get_by_role("button", name="The bat pair").click()  # the same example again: exactly its text
    settle(page)
    assert "river" not in area.input_value() and "baseball" in area.input_value()
    page.locator(".js-plotly-plot", has_text="bat (flew) ~ bat (baseball)").first.wait_for(timeout=60_000)


@pytest.mark.slow
def test_home_is_live_and_the_tour_saves_as_one_file_that_opens_offline(server, page, tmp_path):
    page.goto(server, timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)  # a live figure on Home, not only text
    settle(page)
    assert page.locator("[data-testid='stMain']").get_by_text("Active model:").count() == 1
    with page.expect_download(timeout=180_000) as got:
        page.get_by_role("button", name="Save the tour as one HTML file").click()
    saved = tmp_path / "tour.html"
    got.value.save_as(saved)
    offline = page.context.browser.new_context()
    offline.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    doc = offline.new_page()
    doc.goto(saved.as_uri())
    doc.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(ev.TOUR_TITLES)}",
                          timeout=60_000)
    assert doc.locator("h2").count() == len(ev.TOUR_TITLES) and "queen" in doc.content()
    assert_labels_whole(doc)
    offline.close()


@pytest.mark.slow
def test_a_tour_step_says_where_it_is_and_leads_on(server, page):
    page.goto(server, timeout=120_000)
    page.wait_for_selector("h1", timeout=120_000)
    settle(page)
    page.get_by_text("3. The three banks").click()
    page.wait_for_selector(f"text=Guided tour, step 3 of {len(ev.TOUR_TITLES)}", timeout=120_000)
    settle(page)
    page.get_by_role("link", name="Next: Where the senses part").click()
    page.wait_for_selector(f"text=Guided tour, step 4 of {len(ev.TOUR_TITLES)}", timeout=120_000)
    settle(page)
    assert "Attention" in page.url
    assert_clean(page)


@pytest.mark.slow
def test_a_model_that_cannot_load_says_why_and_the_picker_goes_back(server, page):
    page.goto(f"{server}/Tokens", timeout=120_000)
    page.wait_for_selector(".ev-chip", timeout=120_000)
    settle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="bert-base-uncased (not available here)", exact=True).click()  # marked in the list
    settle(page)
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "not on this machine" in error and "EMBEDVIZ_MODEL" in error and "Still using" in error
    assert sidebar.locator("[data-testid='stSelectbox'] input").first.input_value() == "bundled: all-MiniLM-L6-v2"
    page.locator("[data-testid='stSidebarNav']").get_by_text("Layers").click()  # the next click does not retry it
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


@pytest.mark.slow
def test_labels_follow_their_input(server, page):
    page.goto(f"{server}/Layers", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    type_into(page, page.locator("[data-testid='stMain'] textarea").first, "The cat sat on the mat.")
    picker = page.locator("[data-testid='stMain'] [data-testid='stSelectbox'] input").first.input_value()
    assert picker.split(": ")[-1].strip() in ["[CLS]", "the", "cat", "sat", "on", "mat", ".", "[SEP]"], picker
    assert page.locator(".js-plotly-plot", has_text=picker.split(": ")[-1].strip()).count() >= 1
    page.goto(f"{server}/Static_vectors", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    type_into(page, page.get_by_label("Word", exact=True), "frogg")
    assert "did you mean" in page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
    assert page.locator(".js-plotly-plot", has_text="Nearest to 'king'").count() == 1  # the kept chart names its word
    assert page.locator(".js-plotly-plot", has_text="frogg").count() == 0


@pytest.mark.slow
def test_how_a_word_splits_agrees_with_the_token_table(server, page):
    page.goto(f"{server}/Tokens", timeout=120_000)
    page.wait_for_selector(".ev-chip", timeout=120_000)
    settle(page)
    type_into(page, page.get_by_label("Any word or words"), "COVID-19")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Normalised: 'covid-19'" in text and "into 3 word(s): covid - 19" in text  # as the tokenizer cuts it


@pytest.mark.slow
def test_long_text_stays_out_of_the_link_and_says_so(server, page):
    page.goto(f"{server}/Context", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    type_into(page, page.locator("[data-testid='stMain'] textarea").first, "The bank by the bank. " * 250)
    page.wait_for_selector("text=too long to share in a link", timeout=60_000)
    assert "context_text" not in page.url and len(page.url) < 2000


@pytest.mark.slow
def test_download_buttons_show_their_whole_label_on_a_laptop(server, browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = ctx.new_page()
    pg.goto(f"{server}/Layers", timeout=120_000)
    pg.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(pg)
    buttons = pg.locator("[data-testid='stDownloadButton'] button")
    assert buttons.count() >= 2
    for i in range(buttons.count()):
        b = buttons.nth(i)
        assert b.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), b.inner_text()
        assert b.inner_text().strip().endswith(("Figure (HTML)", "Numbers (CSV)"))
    ctx.close()


@pytest.mark.slow
def test_the_tutorials_caveats_are_in_sight(server, page):
    page.goto(f"{server}/Train", timeout=120_000)
    page.locator(".js-plotly-plot", has_text="after 300 epochs").first.wait_for(timeout=120_000)  # the trained result
    settle(page)
    assert page.get_by_role("button", name="Play from the start").count() + page.locator(
        ".js-plotly-plot", has_text="Play from the start").count() >= 1
    page.goto(f"{server}/Sentences?sentences_strategy=The+%5BCLS%5D+token%27s+last-layer+vector", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    assert "[CLS] is a sentence vector only for a model trained" in page.locator("[data-testid='stMain']").inner_text()
    page.goto(f"{server}/Context", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Reading these numbers" in main  # beside the figures, not in a closed expander
    assert "What each strategy builds for" in main
    assert_clean(page)


@pytest.mark.slow
def test_the_whole_vocabulary_map_find_click_lasso_box_export(server, page):
    """The issue's walk: all of GloVe 6B on one map; find "frog", click points, lasso and box through
    the chart's own modebar buttons, download the selection, show only it."""
    import csv
    import io
    import re

    from plotly_gestures import CHART_SHOWS, drag, lasso, point_xy, use_tool

    def shows(trace, label=None):
        page.wait_for_function(CHART_SHOWS, arg=[trace, label], timeout=60_000)

    page.set_viewport_size({"width": 1366, "height": 1300})
    page.goto(f"{server}/Projections?projections_kind=The+whole+vocabulary", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot .imagelayer image", timeout=180_000)  # every word, as a density image
    settle(page)
    assert "400,000 points (PCA)" in page.inner_text("body")
    type_into(page, page.get_by_label("Find a word"), "frog")
    page.wait_for_selector("text=Nearest to “frog”", timeout=60_000)
    shows("found", "frog")
    neighbours = page.evaluate("""() => document.querySelector('.js-plotly-plot')._fullData
        .find(t => t.name.startsWith('neighbours')).text""")
    assert {"toad", "snake"} <= set(neighbours)
    x, y, word = point_xy(page, "neighbours", neighbours.index("toad"))
    page.mouse.click(x, y)  # a click on a highlighted neighbour: its own neighbours
    page.wait_for_selector("text=Nearest to “toad”", timeout=60_000)
    settle(page)
    shows("found", "toad")
    frog = page.evaluate("""() => document.querySelector('.js-plotly-plot')._fullData
        .find(t => t.name.startsWith('neighbours')).text""").index("frog")
    x, y, _ = point_xy(page, "neighbours", frog)
    page.mouse.click(x, y)  # back to frog, by clicking it on the map
    page.wait_for_selector("text=Nearest to “frog”", timeout=60_000)
    settle(page)
    body = page.inner_text("body")
    assert re.search(r"\d+ of its 10 nearest neighbours in the full space are among its 10 nearest in the picture", body)

    use_tool(page, "Lasso Select")
    x, y, _ = point_xy(page, "found", 0)
    lasso(page, x, y, 60)
    page.wait_for_selector("text=selected by lasso", timeout=60_000)
    settle(page)
    shows("selected (")
    n = int(re.search(r"([\d,]+) words selected by lasso", page.inner_text("body")).group(1).replace(",", ""))
    assert n > 10
    with page.expect_download(timeout=120_000) as got:
        page.get_by_role("button", name="CSV (coordinates, labels, vectors)").click()
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
    assert len(rows) == n and "frog" in {r["label"] for r in rows}
    assert {"x", "y", "v0", "v49"} <= set(rows[0])
    settle(page)

    use_tool(page, "Box Select")
    drag(page, x - 90, y - 50, x + 90, y + 50)
    page.wait_for_selector("text=selected by box", timeout=60_000)
    settle(page)
    page.get_by_role("button", name="Show only these").click()
    page.wait_for_selector("text=selected words, projected again", timeout=120_000)
    settle(page)
    assert "the selection" in page.locator(".js-plotly-plot").first.inner_text()
    page.get_by_role("button", name="Back to the whole map").click()
    page.wait_for_selector(".js-plotly-plot .imagelayer image", timeout=60_000)
    settle(page)
    assert_clean(page)


@pytest.mark.slow
def test_attention_page_grid_click_and_downloads(server, page):
    page.set_viewport_size({"width": 1366, "height": 1400})
    page.goto(f"{server}/Attention", timeout=120_000)
    page.wait_for_selector("text=moves most at layer", timeout=180_000)
    settle(page)
    assert_clean(page)
    grid = page.locator(".js-plotly-plot", has_text="6 layers x 12 heads")
    grid.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    # a click on the square of layer 3, head 7 enlarges that head below
    t = 22  # tokens of the river sentence: each square is 22 x 22, with a gap of one
    x, y = page.evaluate("""([t]) => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
        .find(g => g.layout.title.text.includes('6 layers'));
        const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
        return [r.left + gd._fullLayout.xaxis.l2p(7 * (t + 1) + t / 2), r.top + gd._fullLayout.yaxis.l2p(2 * (t + 1) + t / 2)]; }""",
                         [t])
    page.mouse.click(x, y)
    page.wait_for_selector("text=Layer 3, head 7", timeout=60_000)
    settle(page)
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name="This head's matrix (CSV)").click()
    rows = Path(got.value.path()).read_text().splitlines()
    assert rows[0].startswith("attends to ->,") and len(rows) == 23  # [CLS] + 20 tokens + [SEP], and a header
    assert abs(sum(float(v) for v in rows[1].split(",")[1:]) - 1) < 1e-3
    assert_clean(page)


@pytest.mark.slow
def test_a_dropped_csv_becomes_a_map_to_explore(server, page, tmp_path):
    """The issue's walk: drop a CSV of real rows, get its map, find rows by meaning, click a row for its
    neighbours, lasso a region. (800 rows keep the test short; benchmarks/corpus.py and the closing
    note time 1,913.)"""
    import re

    from plotly_gestures import lasso, point_xy, use_tool

    from embedviz import examples as ex

    data = ex.docstring_corpus(800)
    n = data.count(b"\n") - 1
    assert n == 800
    (tmp_path / "stdlib.csv").write_bytes(data)
    page.set_viewport_size({"width": 1366, "height": 1300})
    page.goto(f"{server}/Corpus?corpus_source=Upload+a+file", timeout=120_000)
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
    uploader.wait_for(state="attached", timeout=120_000)
    settle(page)
    started = time.monotonic()
    uploader.set_input_files(str(tmp_path / "stdlib.csv"))
    page.wait_for_selector(f"text={n:,} rows embedded with", timeout=180_000)
    page.wait_for_selector(f"text={n:,} points (PCA)", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot .gl-canvas", state="attached", timeout=120_000)
    settle(page)
    print(f"{n:,} rows: from the drop to the drawn map in {time.monotonic() - started:.1f} s")
    assert_clean(page)
    assert f"{n:,} points" in page.inner_text("body")
    type_into(page, page.get_by_label("A question or phrase"), "decode a JSON document")
    assert page.locator("[data-testid='stDataFrame']").count() >= 1 and "corpus_query=decode" in page.url
    x, y, row = point_xy(page, "", 0)  # the first point of the first group
    page.mouse.click(x, y)
    page.wait_for_selector("text=Nearest to", timeout=60_000)
    settle(page)
    use_tool(page, "Lasso Select")
    lasso(page, x, y, 80)
    page.wait_for_selector("text=rows selected by lasso", timeout=60_000)
    settle(page)
    assert int(re.search(r"([\d,]+) rows selected by lasso", page.inner_text("body")).group(1).replace(",", "")) >= 1
    assert_clean(page)


def nav_to(pg, title):
    pg.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    settle(pg, timeout=300_000)  # a page's first visit may embed a corpus on a busy machine


def every_pair(nodes):
    """A walk through ``nodes`` that takes every ordered pair (a, b) exactly once as a step a -> b
    (an Euler circuit of the complete directed graph, by Hierholzer's algorithm)."""
    out_edges = {a: [b for b in nodes if b != a] for a in nodes}
    stack, walk = [nodes[0]], []
    while stack:
        if out_edges[stack[-1]]:
            stack.append(out_edges[stack[-1]].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


@pytest.mark.slow
def test_every_page_after_every_other_page_through_the_sidebar(server, page):
    """The presenter's click-through: text typed on several pages, then every page after every other
    page through the sidebar, the session's state carried along: no page shows an error."""
    page.goto(f"{server}/Context", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(page)
    type_into(page, page.locator("[data-testid='stMain'] textarea").first, "The pitcher threw.\nA pitcher of water.")
    nav_to(page, "Tokens")
    type_into(page, page.get_by_label("Any word or words"), "pitcher")
    nav_to(page, "Projections")
    type_into(page, page.get_by_label("Your own words (a group of their own)"), "jug pitcher")
    titles = [pages.HOME.title] + [p.title for p in pages.PAGES]
    walk = every_pair(titles)
    assert len(walk) == len(titles) * (len(titles) - 1) + 1
    for title in walk[1:]:
        nav_to(page, title)
        assert page.locator("[data-testid='stException']").count() == 0, f"{title}: " + page.inner_text("body")[:500]
        assert page.locator("[data-testid='stAlertContentError']").count() == 0, title


TOUR_MARKS = {  # what each step's page shows of its own example, whatever was typed before
    1: lambda pg: pg.get_by_label("Any word or words").input_value() == "embeddings",
    3: lambda pg: "Mississippi" in pg.locator("[data-testid='stMain'] textarea").first.input_value(),
    4: lambda pg: pg.locator("[data-testid='stMain'] textarea").first.input_value() == ev.examples.BANK_SENTENCE,
    6: lambda pg: pg.get_by_label("c", exact=True).input_value() == "woman",
    9: lambda pg: pg.get_by_label("Find a word").input_value() == "frog",
}


@pytest.mark.slow
def test_the_whole_tour_after_typing_on_several_pages(server, page):
    page.goto(f"{server}/Tokens", timeout=120_000)
    page.wait_for_selector(".ev-chip", timeout=120_000)
    settle(page)
    type_into(page, page.get_by_label("Any word or words"), "pitcher")
    nav_to(page, "Context")
    type_into(page, page.locator("[data-testid='stMain'] textarea").first, "The pitcher threw.\nA pitcher of water.")
    nav_to(page, "Attention & drift")
    type_into(page, page.locator("[data-testid='stMain'] textarea").first, "A bat and a bat.")
    nav_to(page, "Home")
    page.get_by_text("1. Tokens").click()
    n = len(ev.TOUR_TITLES)
    for k in range(1, n + 1):
        strip = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']",
                             has_text=f"Guided tour, step {k} of {n}").first
        strip.wait_for(timeout=240_000)
        settle(page, timeout=240_000)
        assert "On its example:" in strip.inner_text()
        assert page.locator("[data-testid='stException']").count() == 0, f"step {k}"
        assert page.locator("[data-testid='stAlertContentError']").count() == 0, f"step {k}"
        if k in TOUR_MARKS:
            assert TOUR_MARKS[k](page), f"step {k} does not show its own example"
        nxt = "Back to the start" if k == n else f"Next: {ev.TOUR_TITLES[k]}"
        page.get_by_role("link", name=nxt).click()
    page.wait_for_selector("h1:has-text('embedviz')", timeout=60_000)
    settle(page)
    assert_clean(page)


def add_to_story(pg, chart_index, caption):
    pg.get_by_role("button", name="Add to story").nth(chart_index).click()
    dialog = pg.get_by_role("dialog")
    dialog.get_by_label("Caption: what should the audience notice?").fill(caption)
    dialog.get_by_role("button", name="Add").click()
    dialog.wait_for(state="detached", timeout=30_000)
    settle(pg)


@pytest.mark.slow
def test_a_story_of_four_slides_from_three_pages_plays_saves_and_comes_back(server, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = ctx.new_page()
    pg.goto(f"{server}/Context", timeout=120_000)
    pg.wait_for_selector(".js-plotly-plot", timeout=120_000)
    settle(pg)
    add_to_story(pg, 0, "The banks part in the middle layers.")
    add_to_story(pg, 1, "The same numbers as lines.")
    nav_to(pg, "Static vectors")
    pg.get_by_role("tab", name="Analogies").click()
    pg.locator(".js-plotly-plot", has_text="parallelogram").wait_for(timeout=60_000)
    visible = pg.get_by_role("button", name="Add to story").filter(visible=True)
    visible.first.click()  # the parallelogram's: the other tabs' buttons are hidden
    dialog = pg.get_by_role("dialog")
    dialog.get_by_label("Caption: what should the audience notice?").fill("king - man + woman = queen")
    dialog.get_by_role("button", name="Add").click()
    dialog.wait_for(state="detached", timeout=30_000)
    settle(pg)
    nav_to(pg, "Projections")
    pg.wait_for_selector(".js-plotly-plot", timeout=120_000)
    add_to_story(pg, 0, "Vehicles, pets and fruits, apart.")
    pg.get_by_role("link", name="Your story: 4 slides").click()
    settle(pg)
    main = pg.locator("[data-testid='stMain']")
    main.get_by_text("Slide 1 of 4").wait_for(timeout=60_000)
    assert main.get_by_text("The banks part in the middle layers.").count() >= 1
    main.get_by_role("button", name="Next").click()
    settle(pg)
    main.get_by_text("Slide 2 of 4").wait_for(timeout=30_000)
    main.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert_labels_whole(pg)
    import re

    ups = main.get_by_role("button", name=re.compile(r"\bUp$"))
    assert ups.count() == 4
    ups.nth(3).click()  # the fourth slide (the map) becomes the third
    settle(pg)
    assert "3. Projections" in main.inner_text(), main.inner_text()[-1500:]
    with pg.expect_download(timeout=120_000) as got:
        main.get_by_role("button", name="The story as one HTML file").click()
    saved = tmp_path / "story.html"
    got.value.save_as(saved)
    offline = browser.new_context(viewport={"width": 1366, "height": 768})
    offline.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    doc = offline.new_page()
    doc.goto(saved.as_uri())
    doc.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=60_000)
    assert doc.locator("section.slide").count() == 4 and "queen" in doc.content()
    doc.get_by_role("button", name="Next").click()
    assert doc.locator("#where").inner_text() == "2 / 4"
    doc.get_by_role("button", name="All slides").click()
    doc.wait_for_timeout(1500)
    assert_labels_whole(doc)
    offline.close()
    link = pg.url  # the Story page's link holds the story: a reload (a new session) brings it back
    assert "story_slides=" in link
    fresh = ctx.new_page()
    fresh.dialogs = []
    fresh.goto(link, timeout=120_000)
    fresh.get_by_text("Slide 1 of 4").wait_for(timeout=120_000)
    settle(fresh)
    fresh.locator("[data-testid='stMain'] .js-plotly-plot").first.wait_for(timeout=60_000)  # figures kept
    assert_clean(fresh)
    ctx.close()
