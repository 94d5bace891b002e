"""The first whole-vocabulary view: the best map ready (UMAP, else t-SNE, as the owner allows), built
once per server in the background through the build queue; PCA with a note while it builds."""

import time

import numpy as np
import pytest
from pagetest import ok, run, spec
from streamlit.testing.v1 import AppTest

import embedviz as ev
from embedviz import maps

FAST = "pca; tsne seed=0 perplexity=30 sample=1000"  # a t-SNE fitted on 1,000 words: seconds, not a minute


@pytest.fixture(scope="module")
def glove():
    return ev.load_vectors()


@pytest.fixture
def fresh_server(tmp_path, monkeypatch):
    """A server that never ran: an empty cache, no background build, nothing memoised."""
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path))
    monkeypatch.setenv("EMBEDVIZ_MAPS", FAST)
    restart()
    yield tmp_path
    for b in list(maps._BACKGROUND.values()):
        wait(b)
    restart()


def restart():
    maps._BACKGROUND.clear()
    ev.word_map.cache_clear()


def wait(build, seconds=240):
    end = time.monotonic() + seconds
    while not (build.ready or build.error) and time.monotonic() < end:
        time.sleep(0.2)
    assert build.ready, build.error


def test_the_best_map_is_built_once_in_the_background_and_read_back_after_a_restart(glove, fresh_server, monkeypatch):
    b = ev.best_map(glove, size=20_000)
    assert (b.method, b.knobs["sample"]) == ("tsne", 1000) and not b.ready and b.seconds_left() > 0
    assert ev.best_map(glove, size=20_000) is b  # a second visitor: the same build, not a second one
    seen = set()
    while not (b.ready or b.error):
        seen |= {label for label, _, _ in ev.BUILDS.waiting()}
        time.sleep(0.05)
    wait(b)
    assert any("t-SNE" in s for s in seen)  # it went through the server's build queue
    assert 0 < b.fraction <= 1 and b.seconds_left() == 0
    assert b.map.method == "tsne" and len(b.map) == 20_000
    assert len(list((fresh_server / "maps").glob("tsne-20000-*.npz"))) == 1
    restart()  # a restart with the map on disk: ready at once, no build
    again = ev.best_map(glove, size=20_000)
    assert again.ready and np.array_equal(again.map.coords, b.map.coords)


def test_the_best_map_is_what_the_owner_allows(monkeypatch):
    monkeypatch.setenv("EMBEDVIZ_MAPS", "pca")
    assert maps.better_method() is None
    monkeypatch.setenv("EMBEDVIZ_MAPS", "pca; tsne seed=2 perplexity=20 sample=10000; umap seed=1 sample=50000")
    assert maps.better_method() == ("umap", {"seed": 1.0, "sample": 50000.0, "perplexity": 30.0, "n_neighbors": 15,
                                             "min_dist": 0.1})
    monkeypatch.setenv("EMBEDVIZ_MAPS", "pca; tsne seed=2 perplexity=20 sample=10000")
    assert maps.better_method()[0] == "tsne" and maps.better_method()[1]["perplexity"] == 20


def page(size=20_000, **params):
    at = AppTest.from_file(str(run.__globals__["ROOT"] / "app_pages/6_Projections.py"), default_timeout=180)
    at.query_params["projections_kind"] = "The whole vocabulary"
    for k, v in params.items():
        at.query_params[k] = v
    at.session_state["projections_map_size"] = size
    return at.run()


def captions(at):
    return " ".join(c.value for c in at.caption)


def notes(at):
    return [p.proto.text for p in at.get("progress")]


def test_the_page_shows_pca_and_a_note_while_the_better_map_builds_then_the_better_map(glove, fresh_server):
    at = page()
    ok(at)
    assert "20,000 points (PCA)" in captions(at)
    assert any("A better map (t-SNE) is being made" in n and "s left" in n for n in notes(at)), notes(at)
    chosen = page(projections_method="PCA")  # a visitor who chose PCA keeps it, with no note (links carry labels)
    assert "20,000 points (PCA)" in captions(chosen) and not notes(chosen)
    for _ in range(240):  # the page's fragment asks every 2 s; here we rerun
        if "(t-SNE)" in captions(at):
            break
        time.sleep(1)
        at.run()
    ok(at)
    assert "20,000 points (t-SNE)" in captions(at) and not notes(at)
    assert "t-SNE" in spec(at)["layout"]["title"]["text"]
    second = page()  # another visitor, and after a restart with the map on disk: t-SNE at once
    assert "20,000 points (t-SNE)" in captions(second) and not notes(second)
    restart()
    third = page()
    assert "20,000 points (t-SNE)" in captions(third) and not notes(third)


def test_a_big_export_says_its_size_then_is_written_with_progress():
    import re

    at = page(size=100_000, projections_method="PCA")
    ok(at)
    make = at.button(key="projections_vocab_map_csv_make")
    said = re.fullmatch(r"Prepare the CSV of 100,000 rows \(about (\d+) MB\)", make.label)  # before anything is written
    assert said, make.label
    make.click().run()
    ok(at)
    ready = next(b for b in at.get("download_button") if "ready" in b.proto.label)
    made = re.search(r"CSV \(coordinates, labels, vectors\): (\d+) MB, ready", ready.proto.label)
    assert made and abs(int(made[1]) - int(said[1])) <= 1 and int(made[1]) > 40


def test_the_time_left_never_counts_down_to_nothing_before_the_map_is_there(glove, fresh_server, monkeypatch):
    """A real build whose estimate is far too small (as a busy server makes it): once the estimate has run
    out and no pace is measured yet, no number is given; once the progress moves, the time left comes
    from the build's own pace; before the map is there it is never under a second."""
    import threading

    b = maps.MapBuild("tsne", dict(maps._DEFAULT_KNOBS), cost=0.5)
    monkeypatch.setenv("EMBEDVIZ_MAPS", "pca; tsne seed=0 perplexity=30 sample=3000")  # a build of several
    # seconds, so that its pace (measured over two) is known before it ends, on an idle machine too
    kwargs = dict(size=20_000, sample=3000, seed=0, perplexity=30.0, n_neighbors=15, min_dist=0.1, scored=2000)
    assert b.seconds_left() == 0.5  # not started: the estimate (under a second: gone as soon as it runs)
    threading.Thread(target=b._build, args=(glove, kwargs), daemon=True).start()
    seen = []
    while not (b.ready or b.error):
        running, moved = b.running_since is not None, b._moved
        left = b.seconds_left()
        if running and not b.ready:
            seen.append((running, moved is not None, left))
        time.sleep(0.02)
    assert b.ready, b.error
    assert b.seconds_left() == 0.0
    assert all(left is None or left >= 1.0 for _, _, left in seen), seen
    assert all(left is None for _, moved, left in seen if not moved)  # the estimate ran out: no made-up number
    assert b._moved is not None and any(left is not None for _, moved, left in seen if moved)  # then the pace
