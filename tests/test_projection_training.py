import numpy as np
import pytest

import embedviz as ev
from embedviz.training import TUTORIAL_GROUPS


def clusters(n_per=40, dim=20, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6, size=(3, dim))
    x = np.vstack([c + rng.normal(size=(n_per, dim)) for c in centres])
    return x, np.repeat([0, 1, 2], n_per)


def test_pca_matches_sklearn_and_reports_variance():
    from sklearn.decomposition import PCA

    x, _ = clusters()
    p = ev.project(x, "pca")
    ref = PCA(2, random_state=0).fit(x)
    assert p.shape == (120, 2)
    assert np.allclose(p.explained_variance, ref.explained_variance_ratio_)
    assert np.allclose(np.abs(np.asarray(p)), np.abs(ref.transform(x)), atol=1e-6)
    assert 0.9 < p.trustworthiness <= 1


def test_tsne_is_seeded_keeps_clusters_and_clamps_perplexity():
    x, y = clusters()
    seen = []
    a = ev.project(x, "tsne", random_state=3, progress=lambda f, m: seen.append(f))
    ev.project.cache_clear()
    b = ev.project(x, "tsne", random_state=3)
    assert np.allclose(a, b) and seen and seen[-1] == 1.0
    from sklearn.neighbors import KNeighborsClassifier

    acc = KNeighborsClassifier(5).fit(np.asarray(a), y).score(np.asarray(a), y)
    assert acc > 0.95 and a.trustworthiness > 0.9
    small = ev.project(x[:10], "tsne", perplexity=30)
    assert small.notes and "Perplexity lowered" in small.notes[0]
    assert ev.project(x, "tsne", 3).shape == (120, 3)


@pytest.mark.parametrize("n, method, msg", [(1, "pca", "at least two"), (3, "tsne", "at least four"),
                                            (10, "mds", "Unknown"), (6000, "pca", "more than")])
def test_projection_bad_requests(n, method, msg):
    with pytest.raises(ev.InputError, match=msg):
        ev.project(np.ones((n, 4)), method)


def test_pca_on_two_points_is_padded():
    p = ev.project(np.array([[0.0], [1.0], [3.0]]), "pca")
    assert p.shape == (3, 2) and p.notes and np.allclose(np.asarray(p)[:, 1], 0)


def test_projector_tsv():
    vec, meta = ev.projector_tsv(np.eye(2), [{"label": "a\tb", "group": "g"}, {"label": "c", "group": "h"}])
    assert vec.splitlines() == ["1\t0", "0\t1"]
    assert meta.splitlines() == ["label\tgroup", "a b\tg", "c\th"]


def test_training_pulls_groups_together_and_is_seeded():
    r = ev.train_embeddings(TUTORIAL_GROUPS, dim=3, epochs=300, random_state=0)
    within, across = r.within_across()
    assert within > across + 0.3
    assert r.losses[-1] < r.losses[0] / 2
    assert r.snapshots.shape[1:] == (9, 3) and r.snapshot_epochs[0] == 0 and r.snapshot_epochs[-1] == 300
    assert np.allclose(r.snapshots[-1], r.vectors)
    ev.train_embeddings.cache_clear()
    again = ev.train_embeddings(TUTORIAL_GROUPS, dim=3, epochs=300, random_state=0)
    assert np.array_equal(r.vectors, again.vectors)
    other = ev.train_embeddings(TUTORIAL_GROUPS, dim=3, epochs=300, random_state=1)
    assert not np.array_equal(r.vectors, other.vectors)


@pytest.mark.parametrize("groups, kw, msg", [
    ([["a", "b"]], {}, "at least two groups"),
    ([["a", "b"], ["c"]], {}, "at least two different words"),
    ([["a", "b"], ["b", "c"]], {}, "'b' is in group 1 and group 2"),
    (TUTORIAL_GROUPS, {"epochs": 0}, "Epochs"),
    (TUTORIAL_GROUPS, {"lr": -0.1}, "learning rate"),
    (TUTORIAL_GROUPS, {"dim": 10_000}, "dimension"),
])
def test_training_bad_settings(groups, kw, msg):
    with pytest.raises(ev.InputError, match=msg):
        ev.train_embeddings(groups, **kw)


def test_parse_groups():
    assert ev.parse_groups("car, bike\n\n cat dog \n") == [["car", "bike"], ["cat", "dog"]]


def test_skipgram_learns_shared_contexts():
    from embedviz.examples import SKIPGRAM_TEXT

    r = ev.train_skipgram(SKIPGRAM_TEXT, dim=8, epochs=150)
    assert r.losses[-1] < r.losses[0]
    assert r.vectors.most_similar("cat", 1)[0][0] == "dog"
    with pytest.raises(ev.InputError, match="fewer than five"):
        ev.train_skipgram("one two")


def _skipgram_text(chars: int = 20_000) -> str:
    """Real prose: the standard library's docstrings, up to ``chars`` characters."""
    import csv
    import io

    from embedviz import examples as ex

    rows = csv.DictReader(io.StringIO(ex.docstring_corpus(2000).decode()))
    return " ".join(r["text"] for r in rows)[:chars]


def test_skipgram_work_counts_every_word_each_pair_scores():
    """Issue 26, item 4: the full softmax scores every vocabulary word for each pair, whatever the
    dimension; at dimension 1 the old cap allowed epochs whose logits took gigabytes."""
    from embedviz.training import tokenize_corpus

    text = _skipgram_text()
    toks = tokenize_corpus(text)
    vocab, pairs = len(set(toks)), sum(min(len(toks), i + 10 + 1) - max(0, i - 10) - 1 for i in range(len(toks)))
    old_most = ev.limits.MAX_SKIPGRAM_WORK // (pairs * vocab * 1)  # what the old cap let one click run at dim 1
    assert old_most >= 1
    with pytest.raises(ev.InputError, match=r"each pair scores every word"):
        ev.train_skipgram(text, dim=1, window=10, epochs=old_most)


def test_skipgram_at_its_cap_stays_small(tmp_path):
    """Item 4: at the largest work allowed, memory stays bounded (logits in blocks: the same
    full-batch step). Measured in a fresh process, so the peak is this training's own."""
    import subprocess
    import sys
    from pathlib import Path

    code = f"""
import resource, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
import embedviz as ev, torch
from tests.test_projection_training import _skipgram_text
from embedviz.training import tokenize_corpus
text = _skipgram_text()
toks = tokenize_corpus(text)
pairs = sum(min(len(toks), i + 3) - max(0, i - 2) - 1 for i in range(len(toks)))
cells = pairs * len(set(toks))
epochs = ev.limits.MAX_SKIPGRAM_WORK // (cells * (8 + ev.limits.SKIPGRAM_SOFTMAX_COST))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = ev.train_skipgram(text, dim=8, window=2, epochs=epochs)
print(cells, epochs, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, r.losses[-1] < r.losses[0])
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    cells, epochs, grew_mb, learnt = run.stdout.split()
    assert int(epochs) >= 1 and learnt == "True"
    assert float(grew_mb) < 300, (cells, epochs, grew_mb)  # all cells at once: ~16 bytes x cells x 3


def test_a_fitted_projector_places_new_points():
    x = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    fitted = ev.fit_projector(x[:200], "pca")
    assert fitted.coords.shape == (200, 2) and np.allclose(fitted.place(x[:200]), fitted.coords, atol=1e-5)
    every = fitted.place_all(x, chunk=30)  # the fitted rows keep their places, the rest placed 30 at a time
    assert every.shape == (300, 2) and np.array_equal(every[:200], fitted.coords.astype(np.float32))
    assert np.allclose(every[200:], fitted.place(x[200:]), atol=1e-5)
    doubled = fitted.place_all(x, prepare=lambda rows: rows * 2)  # a chunk is prepared before it is placed
    assert np.allclose(doubled[200:], fitted.place(x[200:] * 2), atol=1e-5)


def test_a_picture_projects_small_sets_directly():
    x = np.random.default_rng(0).normal(size=(50, 8))
    assert np.allclose(ev.picture(x, "pca"), ev.project(x, "pca"))
