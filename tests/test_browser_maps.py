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
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import embedviz as ev
from embedviz import examples as ex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as tb  # noqa: E402
from test_browser import CHROMIUM, assert_clean, settle, type_into  # noqa: E402

browser, page = tb.browser, tb.page
pytestmark = [pytest.mark.browser, pytest.mark.slow,  # the default run keeps one walk of every page (test_browser)
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
    small = texts[::10]  # a map the bundled model made, its label the module and a kept column: it grows with them
    vs, _ = ev.embed_corpus(enc, small)
    ev.save_map(cache / "corpora" / "docs-small", small, [r["module"] for r in rows[::10]],
                np.asarray(ev.project(ev.projection.unit_rows(vs), "pca")), vs,
                {"rows": len(small), "model": ev.BUNDLED, "method": "pca"})
    t = pq.read_table(cache / "corpora" / "docs-small" / "map.parquet")
    t = t.append_column("kind", pa.array(["short" if len(s) < 80 else "long" for s in small]))
    pq.write_table(t, cache / "corpora" / "docs-small" / "map.parquet")
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


POINTS = "() => document.querySelector('.js-plotly-plot')._fullData.reduce((n, t) => n + (t.x ? t.x.length : 0), 0)"


def test_rows_added_to_a_saved_map(server, page, tmp_path):
    url, texts = server
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&corpus_map=docs-small", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
    settle(page)
    assert "100 rows, opened from the saved map docs-small" in page.inner_text("body")
    before = page.evaluate(POINTS)
    page.get_by_text("Add rows to this map").click()
    (tmp_path / "numbers.csv").write_text("id,score\n1,2\n3,4\n")  # no column of text: said, nothing to add
    page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(str(tmp_path / "numbers.csv"))
    settle(page)
    assert "numbers.csv has no column of text" in page.inner_text("body")
    assert not page.get_by_role("button", name="Add these rows").count()
    new = tmp_path / "new.csv"
    new.write_text("text,label,kind\nSplit a path into its folder and its file name.,os,short\n"
                   "Return the square root of a number.,math,short\n")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(str(new))
    settle(page)
    page.get_by_role("button", name="Add these rows").click()
    page.wait_for_selector("text=Added 2 rows; the map holds 102.", timeout=180_000)
    settle(page)
    body = page.inner_text("body")  # the grown map, at once: not the one drawn before it grew
    assert "102 rows, opened from the saved map docs-small" in body and "They carry their label, kind from the file" in body
    assert page.evaluate(POINTS) == before + 2
    legend = page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData.filter(t => t.showlegend)"
                           ".map(t => t.name)")
    assert "(none)" not in legend  # the new rows' labels are the map's own modules
    page.goto(f"{url}/Corpus?corpus_source=A+saved+map&corpus_map=docs-small", timeout=120_000)
    page.wait_for_selector("text=102 rows, opened from the saved map docs-small", timeout=180_000)
    assert_clean(page)


def test_an_upload_that_cannot_be_mapped_says_so_once(server, page, tmp_path):
    """A file of numbers only, a binary file named .csv and a file of two rows: each one sentence, said
    once, nothing new drawn and the last map kept; the model's choice fits its box at 1,366 px."""
    url, texts = server
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{url}/Corpus?corpus_source=Upload+a+file", timeout=120_000)
    page.wait_for_selector("[data-testid='stFileUploaderDropzoneInput']", state="attached", timeout=180_000)
    settle(page)
    drop = page.locator("[data-testid='stFileUploaderDropzoneInput']").first

    def upload(name, data, said):
        (tmp_path / name).write_bytes(data)
        drop.set_input_files(str(tmp_path / name))
        page.wait_for_selector(f"text={said}", timeout=180_000)
        settle(page, timeout=180_000)
        return page.inner_text("[data-testid='stMain']")

    said = upload("numbers.csv", b"id,score\n1,2\n3,4\n", "has no column of text")
    assert said.count("numbers.csv has no column of text: its columns (id, score) hold only numbers") == 1
    assert not page.locator(".js-plotly-plot").count() and "rows embedded" not in said
    good = io.StringIO()
    csv.writer(good).writerows([["id", "text"], *([i, t] for i, t in enumerate(texts[:12]))])
    said = upload("good.csv", good.getvalue().encode(), "12 rows embedded")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=180_000)
    assert "12 rows embedded" in said
    model = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stSelectbox']")]
        .filter(b => b.innerText.includes('Rows embedded by')).map(b => {
            const leaves = [...b.querySelectorAll('*')].filter(d => d.children.length === 0 && (d.value || d.textContent.trim()));
            return [leaves.map(d => d.value || d.textContent).join(' | '),
                    leaves.filter(d => d.scrollWidth > d.clientWidth + 1).map(d => d.value || d.textContent)];
        })[0]""")
    assert "the encoder" in model[0] and model[1] == [], model  # the choice shown whole in its box
    said = upload("binary.csv", b"\x00\x01binary\x00" * 100, "holds binary data")
    assert said.count("binary.csv holds binary data") == 1 and said.count("Still showing the last result that worked, for: good.csv") == 1
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)  # the last map stays
    said = upload("two.csv", b"text\nA first row of text.\nA second row of text.\n", "a map needs at least")
    assert "two.csv has 2 non-empty rows in column 'text'; a map needs at least 4" in said
    assert said.count("Still showing the last result that worked, for: good.csv") == 1
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    assert_clean(page)
