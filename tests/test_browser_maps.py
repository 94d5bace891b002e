"""A saved map folder opened by its link in Debian's Chromium against `streamlit run app.py`: drawn,
searched for a row, coloured by a column; a bad link says a sentence."""

import csv
import io
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import embedviz as ev
from embedviz import examples as ex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402
from test_browser import CHROMIUM, assert_clean, settle, type_into  # noqa: E402

browser, page = tb.browser, tb.page
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]
NAME = "docs-map"


@pytest.fixture(scope="module")
def server(tmp_path_factory, enc):
    """The app on a cache whose corpora/ holds a map folder of 1,000 docstrings (their vectors: the bundled
    model's input embeddings averaged, a static model's view), as a batch job's folder placed there."""
    cache = tmp_path_factory.mktemp("cache")
    rows = list(csv.DictReader(io.StringIO(ex.docstring_corpus(1000).decode())))
    texts = [r["text"] for r in rows]
    vecs = ev.static_row_vectors(enc, texts)
    coords = np.asarray(ev.project(ev.projection.unit_rows(vecs), "pca"), dtype=np.float32)
    ev.save_map(cache / "corpora" / NAME, texts, [r["module"] for r in rows], coords, vecs,
                {"rows": len(texts), "model": "static: input embeddings averaged", "method": "pca"})
    small = texts[::10]  # a map the bundled model made: it grows with that model
    vs, _ = ev.embed_corpus(enc, small)
    ev.save_map(cache / "corpora" / "docs-small", small, None, np.asarray(ev.project(ev.projection.unit_rows(vs), "pca")),
                vs, {"rows": len(small), "model": ev.BUNDLED, "method": "pca"})
    port = tb.free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", EMBEDVIZ_CACHE=str(cache))
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
    yield url, texts
    proc.terminate()
    out = proc.communicate(timeout=30)[0]
    assert "Traceback" not in out, out[-3000:]


def test_a_saved_map_opens_by_its_link_and_finds_a_row(server, page):
    url, texts = server
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&map={NAME}", timeout=120_000)  # the short form
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
    settle(page)
    assert_clean(page)
    body = page.inner_text("body")
    assert f"1,000 rows, opened from the saved map {NAME}; made with static: input embeddings averaged" in body
    assert "Ignored from the link" not in body and "Not used" not in body
    legend = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData.filter(t => t.showlegend)"
                           ".map(t => t.name)")
    assert "os" in legend and legend[-1] == "other" and len(legend) == 20  # 32 modules: 19 named and the rest
    row = next(t for t in texts if len(t) < 80 and texts.count(t) == 1)
    type_into(page, page.get_by_label("Find a row"), row)
    page.wait_for_selector(f"text=Nearest to “{row}”", timeout=60_000)
    found = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData"
                          ".find(t => t.name.startsWith('found')).text")
    assert list(found) == [row]
    assert_clean(page)


def test_a_bad_map_link_says_a_sentence(server, page):
    url, _ = server
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&corpus_map=..%2F..%2Fetc", timeout=120_000)
    page.wait_for_selector("text=not one this server makes", timeout=180_000)
    settle(page)
    assert_clean(page)
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&corpus_map=no-such-map", timeout=120_000)
    page.wait_for_selector("text=There is no saved map no-such-map on this server", timeout=180_000)
    assert_clean(page)


def test_rows_added_to_a_saved_map(server, page, tmp_path):
    url, texts = server
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&corpus_map=docs-small", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
    settle(page)
    assert "100 rows, opened from the saved map docs-small" in page.inner_text("body")
    page.get_by_text("Add rows to this map").click()
    new = tmp_path / "new.csv"
    new.write_text("text\nSplit a path into its folder and its file name.\nReturn the square root of a number.\n")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(str(new))
    settle(page)
    page.get_by_role("button", name="Add these rows").click()
    page.wait_for_selector("text=Added 2 rows; the map holds 102.", timeout=180_000)
    settle(page)
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&corpus_map=docs-small", timeout=120_000)
    page.wait_for_selector("text=102 rows, opened from the saved map docs-small", timeout=180_000)
    assert_clean(page)
