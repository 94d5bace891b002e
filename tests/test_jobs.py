"""Issue 26, item 3: map builds go through a queue. A cheap build never waits behind an expensive one,
each visitor sees their place, a visitor runs one build at a time, visitors asking for the same build
share it, and a build nobody waits for stops. The workloads are real threads doing real work (a PCA,
a loop that reports progress), as the app's sessions do."""

import threading
import time

import numpy as np
import pytest

from embedviz.jobs import BuildQueue


class Left(BaseException):
    """What Streamlit raises in a run whose visitor left or clicked again (a BaseException)."""


def pca(step):
    from sklearn.decomposition import PCA

    x = np.random.default_rng(0).normal(size=(2000, 50))
    step(0.5, "PCA")
    return PCA(2, random_state=0).fit_transform(x).shape


def slow_build(release: threading.Event, calls: list):
    def compute(step):
        calls.append(1)
        for i in range(600):
            step(i / 600, f"step {i}")
            if release.wait(0.05):
                return "built"
        return "timed out"
    return compute


def in_thread(fn):
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def wait_for(cond, timeout=20):
    t0 = time.time()
    while not cond():
        assert time.time() - t0 < timeout
        time.sleep(0.02)


def test_a_cheap_build_never_waits_and_each_visitor_sees_their_place():
    q = BuildQueue()
    release, calls = threading.Event(), []
    a, a_out = in_thread(lambda: q.run("tsne-seed-1", slow_build(release, calls), cost=200, label="t-SNE seed 1",
                                       visitor="ann"))
    wait_for(lambda: calls)
    seen = []
    b, b_out = in_thread(lambda: q.run("tsne-seed-2", slow_build(release, []), cost=200, label="t-SNE seed 2",
                                       visitor="bob", progress=lambda f, m: seen.append(m)))
    t0 = time.time()
    assert q.run("pca", pca, cost=1, label="PCA", visitor="cat") == (2000, 2)  # while both t-SNE builds are there
    assert time.time() - t0 < 10 and "value" not in a_out
    wait_for(lambda: any("1st in line" in m for m in seen))
    assert any("running now: t-SNE seed 1" in m for m in seen)
    release.set()
    a.join(20), b.join(20)
    assert a_out["value"] == "built" and b_out["value"] == "built" and q.waiting() == []


def test_visitors_share_a_build_and_one_visitor_runs_one_at_a_time():
    q = BuildQueue()
    release, calls = threading.Event(), []
    first = [in_thread(lambda: q.run("same", slow_build(release, calls), cost=200, label="map", visitor=v))
             for v in ("ann", "bob", "cat")]
    wait_for(lambda: calls)
    mine = []
    d, d_out = in_thread(lambda: q.run("another", pca, cost=1, label="PCA", visitor="ann",
                                       progress=lambda f, m: mine.append(m)))
    time.sleep(1.5)
    assert "value" not in d_out and mine  # ann's second build waits for her first, and says so
    release.set()
    for t, _ in first:
        t.join(20)
    d.join(20)
    assert [o["value"] for _, o in first] == ["built"] * 3 and len(calls) == 1  # computed once for three
    assert d_out["value"] == (2000, 2)


def test_a_build_nobody_waits_for_stops():
    q = BuildQueue()
    release, calls = threading.Event(), []
    runner, r_out = in_thread(lambda: q.run("big", slow_build(release, calls), cost=200, label="big", visitor="ann"))
    wait_for(lambda: calls)

    def leave(f, m):
        raise Left

    later = []
    with pytest.raises(Left):  # waiting in line, the tab closes: the build never starts
        q.run("queued", slow_build(release, later), cost=200, label="queued", visitor="bob", progress=leave)
    assert [j[0] for j in q.waiting()] == ["big"] and later == []
    # the visitor running a build leaves; another visitor waiting for it takes it over
    taken = []
    stop = threading.Event()

    def runner_leaves(f, m):
        if stop.is_set():
            raise Left

    r2, r2_out = in_thread(lambda: q.run("shared", slow_build(threading.Event(), taken), cost=1, label="shared",
                                         visitor="dan", progress=runner_leaves))
    wait_for(lambda: taken)
    w, w_out = in_thread(lambda: q.run("shared", pca, cost=1, label="shared", visitor="eve"))
    stop.set()
    r2.join(20), w.join(20)
    assert isinstance(r2_out["error"], Left) and w_out["value"] == (2000, 2)
    release.set()
    runner.join(20)
    assert q.waiting() == []
