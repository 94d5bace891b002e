"""The map of a whole vocabulary, on the real GloVe 6B 50d: search, neighbours, box and lasso
membership, labels, the density image, exports, placing points with a fitted model, and the limits."""

import csv
import io

import numpy as np
import pytest

import embedviz as ev
from embedviz import limits, maps, plots


@pytest.fixture(scope="module")
def glove():
    return ev.load_vectors()


@pytest.fixture(scope="module")
def vocab_map(glove):
    return ev.word_map(glove, "pca")  # all 400,000 words


def test_the_whole_vocabulary_is_on_the_map(glove, vocab_map):
    m = vocab_map
    assert len(m) == len(glove) == 400_000 and m.coords.shape == (400_000, 2)
    # PCA of the unit vectors: the same picture scikit-learn draws
    from sklearn.decomposition import PCA

    ref = PCA(2, random_state=0).fit_transform(glove.unit)
    for j in range(2):  # a principal axis may come out flipped
        assert abs(np.corrcoef(ref[:, j], m.coords[:, j])[0, 1]) > 0.999
    assert m.explained_variance is not None and 0 < m.explained_variance.sum() < 1
    # the 20,000 most frequent words are scored, the rest are not
    assert np.isfinite(m.trust[:20_000]).all() and np.isnan(m.trust[20_000:]).all()
    assert 0 <= m.trust[:20_000].min() and m.trust[:20_000].max() <= 1


def test_find_a_word_and_its_neighbours(glove, vocab_map):
    m = vocab_map
    (i,) = m.find("Frog")
    assert m.labels[i] == "frog"
    nb = m.neighbours(i, 10)
    words = [m.labels[j] for j in nb.full]
    assert {"toad", "snake", "lizard"} <= set(words) and "frog" not in words
    # the same as a brute-force cosine over every row of the raw vectors
    v = glove.matrix.astype(np.float64)
    cos = v @ v[i] / (np.linalg.norm(v, axis=1) * np.linalg.norm(v[i]))
    cos[i] = -1
    assert list(np.argsort(-cos)[:10]) == list(nb.full)
    assert np.allclose(nb.cosines, cos[nb.full], atol=1e-5)
    # neighbours in the picture are the nearest by distance on the map
    d = np.linalg.norm(m.coords - m.coords[i], axis=1)
    d[i] = np.inf
    assert set(np.argsort(d)[:10]) == set(nb.picture)
    assert nb.kept == len(set(nb.full) & set(nb.picture))


def test_a_word_not_on_the_map_gets_spellings(vocab_map):
    assert vocab_map.find("frgo") == [] and vocab_map.find("  ") == []
    assert "frog" in vocab_map.suggest("frgo")
    assert "frog" in vocab_map.suggest("frogg")


def test_box_and_lasso_hold_exactly_the_points_inside(vocab_map):
    m = vocab_map
    c = m.coords.astype(np.float64)
    x0, x1, y0, y1 = 0.2, 0.5, -0.1, 0.05
    box = m.in_box([x1, x0], [y0, y1])  # corners in any order
    want = np.flatnonzero((c[:, 0] >= x0) & (c[:, 0] <= x1) & (c[:, 1] >= y0) & (c[:, 1] <= y1))
    assert np.array_equal(box, want) and len(box) > 1000
    # a lasso along the same rectangle holds the same points
    assert np.array_equal(m.in_lasso([x0, x1, x1, x0], [y0, y0, y1, y1]), want)
    # a triangle: checked point by point with barycentric coordinates
    tri = np.array([[0.2, -0.1], [0.6, -0.1], [0.4, 0.1]])
    got = m.in_lasso(tri[:, 0], tri[:, 1])
    a, b, cc = tri
    v0, v1, v2 = cc - a, b - a, c - a
    d00, d01, d11 = v0 @ v0, v0 @ v1, v1 @ v1
    d20, d21 = v2 @ v0, v2 @ v1
    den = d00 * d11 - d01 * d01
    u, v = (d11 * d20 - d01 * d21) / den, (d00 * d21 - d01 * d20) / den
    inside = np.flatnonzero((u > 1e-9) & (v > 1e-9) & (u + v < 1 - 1e-9))
    edge = np.flatnonzero((u > -1e-9) & (v > -1e-9) & (u + v < 1 + 1e-9))
    assert set(inside) <= set(got) <= set(edge) and len(got) > 1000
    assert list(got) == sorted(got)  # most frequent first


def test_an_empty_selection_and_a_huge_one(vocab_map):
    m = vocab_map
    x0, x1, y0, y1 = m.extent()
    assert len(m.in_box([x1 + 1, x1 + 2], [y1 + 1, y1 + 2])) == 0
    assert len(m.in_lasso([x1 + 1, x1 + 2, x1 + 2], [y0, y0, y1])) == 0
    assert len(m.in_lasso([0, 1], [0, 1])) == 0  # two points are not an area
    big = m.in_box([x0, x1], [y0, y1])[:300_000]
    assert len(big) == 300_000
    data = m.csv(big)  # exporting 300,000 points works, every row with its original vector
    assert data.count(b"\n") == 300_001
    rows = list(csv.reader(io.StringIO(data[:200_000].decode(errors="ignore"))))
    assert rows[0][:5] == ["label", "group", "x", "y", "v0"] and rows[0][-1] == "v49"
    assert [r[0] for r in rows[1:4]] == m.labels[:3] == ["the", ",", "."]
    assert np.allclose(np.array([r[4:] for r in rows[1:300]], float), m.vectors[:299], atol=1e-6)
    assert np.allclose(np.array([r[2:4] for r in rows[1:300]], float), m.coords[:299], atol=1e-6)


def test_projector_export_of_a_selection(glove, vocab_map):
    m = vocab_map
    sel = m.in_box([0.3, 0.35], [-0.02, 0.0])[:50]
    vec, meta = m.projector_files(sel)
    rows = [r.split("\t") for r in vec.strip().split("\n")]
    assert len(rows) == len(sel) and np.allclose(np.array(rows, float), glove.matrix[sel], atol=1e-6)
    head, *lines = meta.strip("\n").split("\n")
    assert head == "label\tgroup\tx\ty" and [ln.split("\t")[0] for ln in lines] == [m.labels[i] for i in sel]
    assert np.allclose([float(ln.split("\t")[2]) for ln in lines], m.coords[sel, 0], atol=1e-5)


def test_labels_are_words_a_reader_knows_and_never_overlap(vocab_map):
    m = vocab_map
    view = m.extent()
    lab = m.labelled(view, 150)
    assert 30 <= len(lab) <= 150 and lab[0] == 0  # "the", the most frequent word, is labelled
    words = [m.labels[i] for i in lab]
    assert all(w.isalpha() or "-" in w or "'" in w for w in words), words  # no numbers, dates or punctuation
    assert not any(ch.isdigit() for w in words for ch in w)
    # no two label boxes (about 6.6 px a character, 14 px high, above the point) overlap in a 1100 x 560 plot
    x = (m.coords[lab, 0] - view[0]) / (view[1] - view[0]) * 1100
    y = (view[3] - m.coords[lab, 1]) / (view[3] - view[2]) * 560
    half = np.array([len(w) * 6.6 / 2 for w in words])
    for a in range(len(lab)):
        for b in range(a + 1, len(lab)):
            assert abs(x[a] - x[b]) >= half[a] + half[b] - 1 or abs(y[a] - y[b]) >= 13, (words[a], words[b])
    # zoomed in on a tenth of the map, labels are found for that range
    cx, cy = m.coords[lab[10]]
    w, h = (view[1] - view[0]) / 20, (view[3] - view[2]) / 20
    near = m.labelled((cx - w, cx + w, cy - h, cy + h), 150)
    assert len(near) >= 10 and set(near) - set(lab)
    markers = m.markers(view)
    assert len(markers) == limits.MAX_MARKERS and list(markers) == list(range(limits.MAX_MARKERS))
    cells = m.cells(view)
    assert 0 < len(cells) <= 48 * 36 and len(set(cells)) == len(cells)


def test_the_density_image_counts_every_point(vocab_map):
    from PIL import Image

    m = vocab_map
    view = m.extent()
    img = np.asarray(Image.open(io.BytesIO(m.density_png(view, width=120, height=90))))
    assert img.shape == (90, 120, 4)
    counts, _, _ = np.histogram2d(m.coords[:, 0], m.coords[:, 1], bins=[120, 90], range=[view[:2], view[2:]])
    assert np.array_equal(img[..., 3] > 0, counts.T[::-1] > 0)  # drawn exactly where points are
    trust = np.asarray(Image.open(io.BytesIO(m.density_png(view, width=120, height=90, values=m.trust))))
    assert trust.shape == (90, 120, 4) and not np.array_equal(trust[..., :3], img[..., :3])


def test_the_figure_stays_small_at_400000_words(vocab_map):
    m = vocab_map
    view = m.extent()
    fig = plots.map_figure(m, view, markers=m.markers(view), labelled=m.labelled(view), cells=m.cells(view),
                           png=m.density_png(view), found=(12260,), neighbours=(1, 2, 3), selected=np.arange(10_000),
                           title="GloVe")
    assert len(fig.to_json()) < 700_000  # a few hundred KB, whatever the number of words
    names = [t.name for t in fig.data]
    assert "found / clicked" in names and "neighbours (full space)" in names and "selected (10,000)" in names
    assert len(fig.layout.images) == 1
    drawn = sum(len(t.x) for t in fig.data)
    assert drawn < 12_000
    # every drawn point says which point of the map it is
    marker = next(t for t in fig.data if t.name == "points")
    assert list(marker.customdata[:3]) == [0, 1, 2]


def test_the_map_is_cached_on_disk_and_a_damaged_file_is_rebuilt(glove, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path))
    a = ev.word_map(glove, "pca", size=5000, scored=1000)
    files = list((tmp_path / "maps").glob("pca-5000-*.npz"))
    assert len(files) == 1
    ev.word_map.cache_clear()
    b = ev.word_map(glove, "pca", size=5000, scored=1000)  # read back
    assert np.array_equal(a.coords, b.coords) and np.array_equal(a.trust, b.trust, equal_nan=True)
    files[0].write_bytes(b"not a map")
    ev.word_map.cache_clear()
    c = ev.word_map(glove, "pca", size=5000, scored=1000)
    assert np.array_equal(a.coords, c.coords)


def test_tsne_is_fitted_on_a_sample_and_places_the_rest(glove):
    n, s = 3000, 1000
    steps = []
    m = ev.word_map(glove, "tsne", size=n, sample=s, scored=n, progress=lambda f, msg: steps.append((f, msg)))
    assert m.coords.shape == (n, 2) and np.isfinite(m.coords).all()
    # one bar for the build: never back, ending at 1, the stage in words with the time left, no optimiser internals
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    said = " | ".join(msg for _, msg in steps)
    assert "fitting t-SNE on 1,000 words" in said and "placing 2,000 words" in said and " left" in said
    assert "KL" not in said and "iteration" not in said
    assert "fitted on the first 1,000 of 3,000" in " ".join(m.notes)
    # the placed words keep far more of their neighbours than a random picture would
    rng_trust = ev.neighbour_preservation(glove.unit[:n], np.random.default_rng(0).normal(size=(n, 2)))
    assert np.nanmean(m.trust[s:]) > 5 * rng_trust.mean() + 0.05


@pytest.fixture(scope="module")
def placed_tsne(glove):
    """t-SNE of 1,500 GloVe words, and 3,500 more (ranks 1,501-5,000) to place among them."""
    return ev.fit_projector(glove.unit[:1500], "tsne", random_state=0), glove.unit[1500:5000]


def test_placing_is_deterministic_and_lands_among_its_nearest(glove, placed_tsne):
    fitted, rows = placed_tsne
    a = fitted.place(rows)
    assert a.shape == (3500, 2) and np.isfinite(a).all()
    again = ev.Projector("tsne", None, fitted.coords, fitted=glove.unit[:1500]).place(rows)
    assert np.array_equal(a, again)  # same vectors in, same places out (a fresh index too)
    # copies (other memory alignment) may change the matrix products' last bits, not the places
    copied = ev.Projector("tsne", None, fitted.coords.copy(), fitted=glove.unit[:1500].copy()).place(rows.copy())
    assert np.allclose(a, copied, atol=1e-3)
    every = fitted.place_all(glove.unit[:5000], chunk=1000)
    assert np.array_equal(every[:1500], fitted.coords.astype(np.float32)) and np.allclose(every[1500:], a, atol=1e-5)
    # each placed word lies near where one of its 5 nearest fitted words lies: far nearer than a random fitted word
    near = np.argsort(-(rows @ glove.unit[:1500].T), axis=1)[:, :5]
    to_near = np.linalg.norm(fitted.coords[near] - a[:, None], axis=2).min(1)
    to_any = np.linalg.norm(fitted.coords[np.random.default_rng(0).integers(0, 1500, 3500)] - a, axis=1)
    spread = np.sqrt(((fitted.coords - fitted.coords.mean(0)) ** 2).sum(1).mean())
    assert np.median(to_near) < 0.1 * spread and np.median(to_near) < 0.1 * np.median(to_any)


def test_placed_words_keep_their_neighbours_as_well_as_transform(glove, placed_tsne):
    fitted, rows = placed_tsne
    some = rows[np.random.default_rng(0).choice(len(rows), 800, replace=False)]
    ours = ev.trustworthiness(some, fitted.place(some))
    theirs = ev.trustworthiness(some, fitted.place(some, how="transform"))  # openTSNE's own
    assert ours >= theirs - 0.01 and ours > 0.8, (ours, theirs)


def test_the_nearest_fitted_rows_are_found_past_the_exact_search(glove):
    from embedviz.projection import SampleIndex

    base, q = glove.unit[:8000], glove.unit[8000:10_000]
    index = SampleIndex(base)
    assert index.cent is not None  # 8,000 rows: the partitioned search
    idx, sim = index.nearest(q, 10)
    assert np.allclose(sim, np.take_along_axis(q @ base.T, idx, 1), atol=1e-5) and (np.diff(sim, axis=1) <= 0).all()
    exact = -np.sort(-(q @ base.T), axis=1)[:, :10]
    assert sim.mean() > exact.mean() - 0.03  # nearly as alike as the exact nearest
    assert np.array_equal(idx, SampleIndex(base.copy()).nearest(q.copy(), 10)[0])


def test_one_bar_for_a_build_never_goes_back():
    from embedviz.projection import Bar

    heard = []
    bar = Bar(lambda f, m: heard.append((f, m)), {"fit": 3.0, "place": 1.0})
    fit, place = bar.stage("fit", "fitting"), bar.stage("place", "placing")
    for f in (0.0, 0.5, 0.2, 1.0):  # a stage that restarts its own count does not move the bar back
        fit(f, "iteration 7 (KL 335293)")
    place(0.5, "chunk 2")
    place(1.0, "chunk 3")
    fractions = [f for f, _ in heard]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and heard[1][0] == 0.375
    assert all("KL" not in m for _, m in heard) and "left" in heard[1][1] and heard[-2][1].startswith("placing")


@pytest.mark.slow
def test_umap_is_a_third_method(glove):
    x = glove.unit[:600]
    a = ev.project(x, "umap", random_state=1, n_neighbors=10)
    assert a.shape == (600, 2) and a.method == "umap" and a.trustworthiness > 0.7
    assert np.array_equal(np.asarray(a), np.asarray(ev.project(x.copy(), "umap", random_state=1, n_neighbors=10)))
    few = ev.project(x[:8], "umap", n_neighbors=15)
    assert "lowered from 15 to 7" in few.notes[0]
    placed = ev.fit_and_place(glove.unit[:900], "umap", sample=600, random_state=1, n_neighbors=10)
    assert placed.shape == (900, 2) and np.isfinite(placed).all()
    assert "the other 300 were placed" in placed.notes[-1]
    # UMAP's fit reports its epochs as progress: one bar, never back
    heard = []
    ev.fit_and_place(glove.unit[:900], "umap", sample=600, random_state=1, n_neighbors=10,
                     progress=lambda f, m: heard.append((f, m)))
    fractions = [f for f, _ in heard]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(set(fractions)) > 4


def test_exact_neighbours_are_the_true_nearest_by_cosine(glove):
    from sklearn.neighbors import NearestNeighbors

    from embedviz.projection import exact_neighbours

    x = np.asarray(glove.matrix[:5000], dtype=np.float32)  # raw rows: it makes them unit itself
    idx, dist = exact_neighbours(x, 15, block=1000)
    ref_d, ref_i = NearestNeighbors(n_neighbors=15, metric="cosine", algorithm="brute").fit(x).kneighbors(x)
    assert (idx[:, 0] == np.arange(5000)).all() and (dist[:, 0] == 0).all()  # itself first, as umap-learn's
    assert np.allclose(dist, ref_d, atol=1e-4)  # the same distances, nearest first
    same = np.mean([len(np.intersect1d(a, b)) for a, b in zip(idx[:, 1:], ref_i[:, 1:])]) / 14
    assert same > 0.99  # the same neighbours, but for ties at the edge


@pytest.mark.slow
def test_umap_on_a_big_sample_is_fitted_on_exact_neighbours(glove):
    from embedviz.projection import EXACT_KNN, fit_projector

    x = np.asarray(glove.unit[:EXACT_KNN[0] + 1000], dtype=np.float32)
    fitted = fit_projector(x, "umap", random_state=0)
    assert fitted.model.knn_indices.shape == (len(x), 15) and fitted.model._knn_search_index is None
    assert ev.projection.trustworthiness(x[:2000], fitted.coords[:2000]) > 0.8
    with pytest.raises(ev.InputError, match="exact neighbours"):
        fitted.place(x[:5], how="transform")
    assert fitted.place(x[:5]).shape == (5, 2)  # among their nearest fitted rows, as the whole map does


def test_show_only_a_selection(vocab_map):
    sel = vocab_map.in_box([0.3, 0.4], [-0.05, 0.0])[:300]
    sub = vocab_map.reprojected(sel, "pca")
    assert len(sub) == len(sel) and sub.labels == [vocab_map.labels[i] for i in sel]
    assert np.array_equal(sub.vectors, vocab_map.vectors[sel])  # the original vectors travel along
    assert np.isfinite(sub.trust).all()
    with pytest.raises(ev.InputError, match="at least two"):
        vocab_map.reprojected([5])


def test_limits_say_what_they_are(glove):
    with pytest.raises(ev.InputError, match="at most 50,000 points"):
        ev.fit_and_place(glove.unit[:60_001], "tsne", sample=60_000)
    huge = np.zeros((limits.MAX_MAP_POINTS + 1, 2), dtype=np.float32)
    with pytest.raises(ev.InputError, match=r"1,000,000.*GB"):
        ev.fit_and_place(huge, "pca")
    with pytest.raises(ev.InputError, match="pca, tsne or umap"):
        ev.word_map(glove, "mds")
    with pytest.raises(ev.InputError, match="at most 50,000"):
        ev.neighbour_preservation(np.zeros((50_001, 2)), np.zeros((50_001, 2)))


def test_point_map_scores_every_point():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 10))
    m = maps.point_map([f"w{i}" for i in range(200)], x, x[:, :2], groups=["a"] * 200)
    assert np.isfinite(m.trust).all() and m.scored == 200
    same = maps.point_map([f"w{i}" for i in range(200)], x, x[:, :2] @ np.diag([1, 1]))
    assert np.array_equal(same.trust, m.trust)
    # points on a circle, drawn where they are: cosine and distance agree, every neighbour is kept
    a = rng.uniform(0, 2 * np.pi, 300)
    ring = np.c_[np.cos(a), np.sin(a)]
    assert maps.point_map([str(i) for i in range(300)], ring, ring).trust.min() == 1.0
    shuffled = maps.point_map([str(i) for i in range(300)], ring, rng.permutation(ring))
    assert shuffled.trust.mean() < 0.2


# ---------------------------------------------------------------- a shared server, round two (issue 26)

def test_show_only_these_is_computed_once_with_progress_and_bounded(vocab_map):
    """Item 2: a re-projection reports progress, is computed once and kept (typing in the sub-map's search
    box re-ran it in full), stops when nobody waits, and t-SNE / UMAP take a bounded selection."""
    sel = vocab_map.in_box([0.3, 0.4], [-0.05, 0.0])[:400]
    steps = []
    sub = vocab_map.reprojected(sel, "tsne", progress=lambda f, m: steps.append(m))
    assert steps and steps[-1] == "Done"
    again = []
    assert vocab_map.reprojected(np.array(sel[::-1]), "tsne", progress=lambda f, m: again.append(m)) is sub
    assert again == []  # kept: nothing recomputed, not even queued

    class Left(BaseException):
        """What Streamlit raises in a run whose visitor left (StopException is a BaseException too)."""

    def leave(f, m):
        raise Left

    with pytest.raises(Left):
        vocab_map.reprojected(sel[:300], "tsne", progress=leave)
    assert ev.BUILDS.waiting() == []  # nothing left running or waiting
    big = np.arange(ev.limits.MAX_REPROJECT_POINTS + 1)
    with pytest.raises(ev.InputError, match=r"at most 50,000 points again with t-SNE.*choose PCA"):
        vocab_map.reprojected(big, "tsne")
    assert len(vocab_map.reprojected(big, "pca")) == len(big)  # PCA takes any number


def test_pca_has_one_map_whatever_the_seed(glove, tmp_path, monkeypatch):
    """Item 3: PCA wrote a byte-identical 4.8 MB file per seed; its cache key has no seed."""
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path))
    a = ev.word_map(glove, "pca", size=5000, scored=500, seed=0)
    b = ev.word_map(glove, "pca", size=5000, scored=500, seed=7)
    assert len(list((tmp_path / "maps").glob("*.npz"))) == 1 and np.array_equal(a.coords, b.coords)


def test_a_link_cannot_start_a_map_the_owner_did_not_fix(glove, tmp_path, monkeypatch):
    """Item 3: on a shared server only the owner's whole-vocabulary maps are built (a link with a new seed
    started a 2-4 minute build of 400,000 words); one already on disk is shown."""
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path))
    monkeypatch.delenv("EMBEDVIZ_LOCAL_FILES", raising=False)
    monkeypatch.delenv("EMBEDVIZ_MAPS", raising=False)
    built = ev.word_map(glove, "tsne", size=3000, sample=1000, seed=3, scored=300)  # a notebook: anything
    ev.word_map.cache_clear()
    ev.serve_visitors()
    assert ev.word_map(glove, "tsne", size=3000, sample=1000, seed=3, scored=300).memo_key == built.memo_key  # on disk
    with pytest.raises(ev.InputError, match=r"only as its owner fixed them: PCA; t-SNE \(seed 0, perplexity 30, "
                                            r"sample 20000\); UMAP"):
        ev.word_map(glove, "tsne", size=20_000, seed=9, scored=300)
    with pytest.raises(ev.InputError, match="holds 20,000, 50,000, 100,000 or all 400,000 words, not 3,001"):
        ev.word_map(glove, "pca", size=3001, scored=300)
    assert ev.BUILDS.waiting() == []
    monkeypatch.setenv("EMBEDVIZ_MAPS", "pca; tsne seed=9 perplexity=30 sample=1000")
    assert ev.maps.allowed_maps()[1] == {"method": "tsne", "seed": 9.0, "perplexity": 30.0, "sample": 1000.0}
    monkeypatch.setenv("EMBEDVIZ_MAPS", "any")
    assert ev.maps.allowed_maps() is None


def test_the_cache_limit_counts_maps_and_saved_corpora(glove, tmp_path, monkeypatch):
    """Item 3: maps/ and corpora/ were outside EMBEDVIZ_CACHE_MB; now the whole cache folder counts."""
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path))
    monkeypatch.setenv("EMBEDVIZ_CACHE_MB", "0.5")  # 512 KB
    texts = [f"{w} is a word of GloVe's." for w in glove.words[:3000]]
    v = np.asarray(glove.matrix[:3000])
    first = ev.save_corpus_map(texts[:1500], None, v[:1500, :2], v[:1500], {"rows": 1500})
    assert (tmp_path / "corpora" / first).is_dir()
    import os
    import time

    os.utime(tmp_path / "corpora" / first, (time.time() - 60, time.time() - 60))
    second = ev.save_corpus_map(texts[1500:], None, v[1500:, :2], v[1500:], {"rows": 1500})
    assert not (tmp_path / "corpora" / first).exists() and (tmp_path / "corpora" / second).is_dir()
    held = sum(f.stat().st_size for f in (tmp_path / "corpora" / second).iterdir())
    monkeypatch.setenv("EMBEDVIZ_CACHE_MB", str((held + 10_000) / 2**20))  # room for it, not for it and a map
    os.utime(tmp_path / "corpora" / second, (time.time() - 60, time.time() - 60))
    ev.word_map(glove, "pca", size=3000, scored=300)  # a map: it counts, the saved corpus map goes
    assert not (tmp_path / "corpora" / second).exists() and len(list((tmp_path / "maps").glob("*.npz"))) == 1


def test_background_labels_leave_room_for_a_found_word_and_its_neighbours(vocab_map):
    m = vocab_map
    (i,) = m.find("frog")
    nb = [int(j) for j in m.neighbours(i, 10).full]
    x0, x1, y0, y1 = m.extent()
    cx, cy = m.coords[i]
    view = (cx - (x1 - x0) / 8, cx + (x1 - x0) / 8, cy - (y1 - y0) / 8, cy + (y1 - y0) / 8)
    lab = m.labelled(view, 150, avoid=[i, *nb])
    assert len(lab) > 10 and not set(lab) & {i, *nb}
    w, h = 1100, 560

    def box(j):
        x = (m.coords[j, 0] - view[0]) / (view[1] - view[0]) * w
        y = (view[3] - m.coords[j, 1]) / (view[3] - view[2]) * h
        return x, y, len(m.labels[j]) * 6.6 / 2

    shown = [j for j in [i, *nb] if view[0] <= m.coords[j, 0] <= view[1] and view[2] <= m.coords[j, 1] <= view[3]]
    for a in shown:
        xa, ya, ha = box(a)
        for b in lab:
            xb, yb, hb = box(b)
            assert abs(xa - xb) >= ha + hb - 9 or abs(ya - yb) >= 13, (m.labels[a], m.labels[b])


def _boxes(centres, widths, height=maps.LABEL_HEIGHT):
    return np.column_stack([centres[:, 0] - widths / 2, centres[:, 1] - height / 2,
                            centres[:, 0] + widths / 2, centres[:, 1] + height / 2])


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_crowded_labels_move_aside_with_a_line_and_never_overlap():
    rng = np.random.default_rng(0)
    crowd = np.array([500.0, 300.0]) + rng.normal(0, 4, (11, 2))  # a found word and 10 neighbours on one spot
    widths = rng.uniform(30, 80, 11)
    centres, moved = maps.place_labels(crowd, widths, size=(1100, 560))
    boxes = _boxes(centres, widths)
    for a in range(11):
        for b in range(a + 1, 11):
            assert not _overlap(boxes[a], boxes[b]), (a, b)
        for j in range(11):  # no label hides another's point
            if j != a:
                assert not _overlap(boxes[a], [*(crowd[j] - 4), *(crowd[j] + 4)])
    assert moved.sum() >= 8 and (boxes[:, :2] >= 0).all() and (boxes[:, 2] <= 1100).all() and (boxes[:, 3] <= 560).all()
    # labels far apart stay just above their points, with no line
    apart = np.array([[100.0, 100], [400, 300], [900, 500]])
    centres, moved = maps.place_labels(apart, np.full(3, 60.0), size=(1100, 560))
    assert not moved.any() and np.allclose(centres, apart - [0, 9])
    # at the plot's edge a label is moved inside it
    centres, moved = maps.place_labels(np.array([[2.0, 2.0]]), np.array([60.0]), size=(1100, 560))
    assert moved[0] and centres[0, 0] - 30 >= 0 and centres[0, 1] - 7 >= 0


def test_frog_and_its_neighbours_are_labelled_apart_with_leader_lines(vocab_map):
    m = vocab_map
    (i,) = m.find("frog")
    nb = [int(j) for j in m.neighbours(i, 10).full]
    x0, x1, y0, y1 = m.extent()
    cx, cy = m.coords[i]
    view = (cx - (x1 - x0) / 8, cx + (x1 - x0) / 8, cy - (y1 - y0) / 8, cy + (y1 - y0) / 8)
    lay = m.label_layout([i, *nb], view)
    assert list(lay.index) == [i, *nb] and lay.moved.any()  # PCA crowds frog's neighbours onto a few pixels
    boxes = _boxes(lay.pixels, lay.widths)
    assert not any(_overlap(boxes[a], boxes[b]) for a in range(11) for b in range(a + 1, 11))
    # a moved label's line runs from its point to the edge of its box
    for j in np.flatnonzero(lay.moved):
        end = (lay.ends[j] - [view[0], view[3]]) / [(view[1] - view[0]) / 1100, -(view[3] - view[2]) / 560]
        b = boxes[j]
        on_edge = (np.isclose(end[0], [b[0], b[2]], atol=0.5).any() and b[1] - 0.5 <= end[1] <= b[3] + 0.5) or \
                  (np.isclose(end[1], [b[1], b[3]], atol=0.5).any() and b[0] - 0.5 <= end[0] <= b[2] + 0.5)
        assert on_edge, (j, end, b)
    fig = plots.map_figure(m, view, markers=m.markers(view), labelled=m.labelled(view, placed=lay), found=(i,),
                           neighbours=tuple(nb), layout=lay, title="frog")
    lines = next(t for t in fig.data if t.name == "leader lines")
    xs = np.asarray(lines.x, dtype=float).reshape(-1, 3)
    assert len(xs) == lay.moved.sum() and np.allclose(xs[:, 0], m.coords[lay.index[lay.moved], 0])
    texts = next(t for t in fig.data if t.name == "neighbour labels")
    assert list(texts.text) == [m.labels[j] for j in nb] and np.allclose(texts.x, lay.at[1:, 0])
    # the background labels keep off the moved labels' boxes
    bg = m.labelled(view, placed=lay)
    px = (m.coords[bg, 0] - view[0]) / (view[1] - view[0]) * 1100
    py = (view[3] - m.coords[bg, 1]) / (view[3] - view[2]) * 560 - 9
    for x, y in zip(px, py):
        assert not any(b[0] + 4 < x < b[2] - 4 and b[1] + 2 < y < b[3] - 2 for b in boxes)


def test_the_expected_neighbours_kept_is_measured_on_the_map(glove):
    m = ev.word_map(glove, "pca", size=20_000)
    mean, over = m.typical_kept(10)
    pick = np.random.default_rng(0).choice(len(m), size=200, replace=False)
    assert over == 200 and mean == pytest.approx(np.mean([m.neighbours(int(i), 10).kept for i in pick]))
    assert m.typical_kept(10) == (mean, over) and m.typical_kept(5)[0] <= mean  # kept per map and k


def test_a_big_csv_says_its_size_and_reports_progress(vocab_map):
    m = vocab_map
    idx = np.arange(len(m))
    est = m.csv_size(idx)
    steps = []
    data = m.csv(idx, progress=lambda f, msg: steps.append((f, msg)))
    assert abs(est - len(data)) < 0.02 * len(data) and len(data) > 100e6
    fs = [f for f, _ in steps]
    assert fs == sorted(fs) and fs[-1] == 1.0 and len(steps) == len(m) // maps.CSV_PART
    assert "400,000 of 400,000 rows" in steps[-1][1]
    rows = data.count(b"\n")
    assert rows == len(m) + 1 and data.count(b"label,group,x,y") == 1


def test_text_positions_keep_the_home_figures_labels_apart():
    from embedviz import examples as ex
    from embedviz import plots

    vecs = ev.load_vectors()
    words, x, groups, _ = vecs.grouped({g: ex.WORD_GROUPS[g] for g in ex.DEFAULT_GROUPS})
    xy = np.asarray(ev.project(x, "pca"))
    where = ev.maps.text_positions(xy, words, size=(320, 430))
    assert len(where) == len(words) and set(where) <= set(ev.maps.TEXT_POSITIONS)
    assert len(set(where)) > 1  # the crowded pets and fruits are not all written above their points
    fig = plots.scatter_figure(xy, words, color=groups, title="t", label_room=(320, 430))
    got = {w: p for t in fig.data for w, p in zip(t.text, t.textposition)}
    assert got == dict(zip(words, where))
    assert plots.scatter_figure(xy, words, color=groups, title="t").data[0].textposition == "top center"
