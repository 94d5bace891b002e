"""The whole vocabulary in a real browser on a fresh server: PCA at once with a note that a better map
is being made, then the better map, by itself, with what the visitor found kept; a second visitor
gets it at once. The owner's EMBEDVIZ_MAPS makes the better map a t-SNE fitted on 1,000 words, so
the background build takes seconds (UMAP's is the same path, a minute)."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import CHROMIUM, ROOT, VECTOR_DIR, browser, free_port, page, settle, type_into  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]


def start(cache, maps: str | None):
    """A server on the empty cache folder ``cache``; ``maps``: its owner's EMBEDVIZ_MAPS (None: the default,
    UMAP's whole map). Yields its address; at the end, its output holds no traceback."""
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", EMBEDVIZ_CACHE=str(cache), EMBEDVIZ_VECTOR_DIRS=str(VECTOR_DIR))
    env.pop("EMBEDVIZ_MAPS", None)
    if maps:
        env["EMBEDVIZ_MAPS"] = maps
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
    yield url
    proc.terminate()
    out = proc.communicate(timeout=30)[0]
    assert "Traceback" not in out, out[-3000:]


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    yield from start(tmp_path_factory.mktemp("cache"), "pca; tsne seed=0 perplexity=30 sample=1000")


def test_the_default_umap_map_arrives_on_a_fresh_server(tmp_path, page):  # noqa: F811
    """The issue's path as a first visitor takes it, with the server's defaults: PCA at once while the
    whole-vocabulary UMAP map builds beside it (a page's imports beside a build thread's: once an
    ImportError "partially initialized module 'sklearn.base'" here), then UMAP by itself."""
    server = start(tmp_path, None)
    url = next(server)
    try:
        page.goto(f"{url}/Projections?projections_kind=The+whole+vocabulary", timeout=120_000)
        page.wait_for_selector("text=400,000 points (PCA)", timeout=180_000)
        page.wait_for_selector("text=400,000 points (UMAP)", timeout=400_000)
        settle(page)
        body = page.inner_text("body")
        assert "Something went wrong" not in body and "could not be made" not in body
    finally:
        next(server, None)  # stops it and reads its output: no traceback


def test_pca_first_then_the_better_map_by_itself(fresh_server, page, browser):  # noqa: F811
    page.goto(f"{fresh_server}/Projections?projections_kind=The+whole+vocabulary", timeout=120_000)
    page.wait_for_selector("text=A better map (t-SNE) is being made", timeout=180_000)
    page.wait_for_selector("text=400,000 points (PCA)", timeout=120_000)
    assert "s left" in page.inner_text("body")
    type_into(page, page.get_by_label("Find a word"), "frog")  # the visitor is not kept waiting
    page.wait_for_selector("text=Nearest to “frog”", timeout=60_000)
    page.wait_for_selector("text=400,000 points (t-SNE)", timeout=300_000)  # no reload: the page switched
    settle(page)
    body = page.inner_text("body")
    assert "A better map" not in body and "Nearest to “frog”" in body  # what was found stays found
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()  # a second visitor
    other.goto(f"{fresh_server}/Projections?projections_kind=The+whole+vocabulary", timeout=120_000)
    other.wait_for_selector("text=400,000 points (t-SNE)", timeout=120_000)
    assert "A better map" not in other.inner_text("body")
    other.context.close()
