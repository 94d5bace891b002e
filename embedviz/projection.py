"""PCA, t-SNE and UMAP, seeded, with progress, and how faithfully each keeps neighbours: for a few
thousand points (:func:`project`) and for hundreds of thousands, fitted on a sample with the rest
placed among their nearest fitted points (:func:`fit_and_place`); :func:`picture` chooses between
the two.

A fitted projection is a :class:`Projector` (as openTSNE's fitted ``TSNEEmbedding``): it keeps what
it needs to place new points with :meth:`Projector.place`, so "fit on a sample, place the rest" is
written once, in :meth:`Projector.place_all`, for word maps, corpus maps and the batch job alike.

>>> import numpy as np, embedviz as ev
>>> xy = ev.project(np.random.default_rng(0).normal(size=(50, 8)), method="pca")
>>> xy.shape, round(float(xy.explained_variance.sum()), 2) <= 1
((50, 2), True)
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

from . import limits
from .cache import memoize
from .errors import InputError
from .jobs import IMPORTS
from .progress import Progress, reporter
from .vecmath import unit_rows

MAX_POINTS = 5000
METHODS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


class Projection(np.ndarray):
    """``[n, n_components]`` coordinates, carrying ``method``, ``explained_variance`` (PCA: the
    fraction of variance per component), ``trustworthiness`` (0-1, 10 neighbours) and ``notes``."""

    method: str
    explained_variance: np.ndarray | None
    trustworthiness: float | None
    notes: list[str]

    def __array_finalize__(self, obj):
        for name, default in (("method", ""), ("explained_variance", None), ("trustworthiness", None)):
            setattr(self, name, getattr(obj, name, default))
        self.notes = list(getattr(obj, "notes", []))


def trustworthiness(x: np.ndarray, y: np.ndarray, n_neighbors: int = 10) -> float | None:
    """scikit-learn's trustworthiness, with the neighbour count clamped to what ``n`` allows."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from sklearn.manifold import trustworthiness as tw

    k = min(n_neighbors, (len(x) - 1) // 2)
    if k < 1:
        return None
    return float(tw(x, y, n_neighbors=k))


@memoize(maxsize=32)
def project(x: np.ndarray, method: str = "pca", n_components: int = 2, *, random_state: int = 0,
            perplexity: float = 30.0, progress: Progress | None = None,
            metric: str = "cosine", n_neighbors: int = 15, min_dist: float = 0.1) -> Projection:
    """Project ``x`` ``[n, dim]`` to ``[n, n_components]`` with ``pca``, ``tsne`` (openTSNE) or
    ``umap`` (umap-learn).

    t-SNE's perplexity is clamped to ``(n - 1) / 3`` and UMAP's neighbours to ``n - 1``, each with a
    note; the same input and seed give the same picture.
    """
    x = np.asarray(x, dtype=np.float64)
    step = reporter(progress)
    if x.ndim != 2:
        raise InputError("Projection needs a table of vectors (one row per point).")
    n = len(x)
    if n_components not in (2, 3):
        raise InputError("Projections are 2-D or 3-D.")
    if n > MAX_POINTS:
        raise InputError(f"{n:,} points is more than the {MAX_POINTS:,} a projection here allows; use fewer.")
    if method == "pca":
        if n < 2:
            raise InputError("PCA needs at least two points.")
        with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
            from sklearn.decomposition import PCA

        k = min(n_components, n, x.shape[1])
        pca = PCA(n_components=k, random_state=random_state)
        y = pca.fit_transform(x)
        if k < n_components:
            y = np.hstack([y, np.zeros((n, n_components - k))])
        out = y.view(Projection)
        out.explained_variance = np.pad(pca.explained_variance_ratio_, (0, n_components - k))
        out.notes = [] if k == n_components else [f"Only {k} component(s) exist for {n} points; the rest are zero."]
    elif method in ("tsne", "umap"):
        fitted = fit_projector(x, method, n_components, random_state=random_state, perplexity=perplexity,
                               metric=metric, n_neighbors=n_neighbors, min_dist=min_dist, progress=step)
        out = np.asarray(fitted.coords).view(Projection)
        out.explained_variance = None
        out.notes = fitted.notes
    else:
        raise InputError(f"Unknown projection method {method!r}: pca, tsne or umap.")
    out.method = method
    out.trustworthiness = trustworthiness(x, np.asarray(out))
    step(1.0, "Done")
    return out


def _reduce(x: np.ndarray, random_state: int):
    """Neighbours in the top 50 principal components: standard practice for t-SNE, faster to find and,
    on word vectors, no less faithful (trustworthiness 0.86 against 0.83 raw). Returns (data, pca)."""
    if x.shape[1] <= 50 or len(x) <= 50:
        return x, None
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from sklearn.decomposition import PCA

    pca = PCA(50, random_state=random_state).fit(x)
    return pca.transform(x), pca


class Projector:
    """A fitted projection that places new points. ``coords`` ``[fitted, n_components]``: the places of
    the points it was fitted on; :meth:`place` puts new rows ``[n, dim]`` into the same picture without
    moving those (PCA by its linear map; t-SNE and UMAP where their nearest fitted rows lie densest).
    ``fitted``: the rows it was fitted on; ``notes``: the knobs it clamped; ``explained_variance``: PCA's."""

    def __init__(self, method: str, model, coords: np.ndarray, *, reduce=None, notes: list[str] | None = None,
                 explained_variance: np.ndarray | None = None, fitted: np.ndarray | None = None):
        self.method, self.model, self.coords, self.reduce = method, model, coords, reduce
        self.fitted = fitted  # the rows it was fitted on (full space), to find new rows' nearest
        self._index = None
        self.notes = list(notes or [])
        self.explained_variance = explained_variance

    def place(self, rows: np.ndarray, *, how: str = "neighbours") -> np.ndarray:
        """Places ``[n, n_components]`` of new rows ``[n, dim]``. PCA: by its linear map. t-SNE and UMAP:
        ``how="neighbours"`` (the default, :func:`place_near`) puts each row where its nearest fitted
        rows (cosine, in the full space) lie densest; ``how="transform"`` asks umap-learn / openTSNE's
        own ``transform`` (kept to measure against: on GloVe it is slower and keeps neighbours no better;
        a UMAP fitted on exact neighbours, :data:`EXACT_KNN`, has no search index to transform with)."""
        if how == "transform" and getattr(self.model, "_knn_search_index", 0) is None:
            raise InputError("This UMAP was fitted on exact neighbours, without umap-learn's search index: "
                             "it places new points among their nearest fitted ones (how='neighbours').")
        if self.method == "pca" or how == "transform" or self.fitted is None:
            if self.reduce is not None:
                rows = self.reduce.transform(rows)
            with np.errstate(all="ignore"):  # openTSNE's transform can warn on far-off points; it still places them
                return np.asarray(self.model.transform(rows))
        if how != "neighbours":
            raise InputError(f"Unknown way to place points {how!r}: neighbours or transform.")
        if self._index is None:
            self._index = SampleIndex(self.fitted)
        return place_near(self._index, self.coords, rows)

    def place_all(self, x: np.ndarray, *, chunk: int = 50_000, prepare: Callable[[np.ndarray], np.ndarray] | None = None,
                  progress: Progress | None = None, how: str = "neighbours") -> np.ndarray:
        """Places ``[n, n_components]`` float32 of all of ``x`` ``[n, dim]`` whose first ``len(coords)``
        rows are the ones fitted: they keep their places, and the rest are placed ``chunk`` rows at a
        time, each chunk passed through ``prepare`` first (unit rows, say), so a memory-mapped ``x`` of
        any size is never in memory whole and the cost grows linearly with ``n``. ``progress`` hears
        the share placed, with how many points are being placed."""
        step = reporter(progress)
        n, s = len(x), len(self.coords)
        out = np.empty((n, self.coords.shape[1]), dtype=np.float32)
        out[:s] = self.coords
        for a in range(s, n, chunk):
            step((a - s) / (n - s), f"placing {n - s:,} points among the {s:,} fitted")
            rows = np.asarray(x[a:a + chunk], dtype=np.float32)
            out[a:a + chunk] = self.place(prepare(rows) if prepare is not None else rows, how=how)
        step(1.0, f"placed {n - s:,} points among the {s:,} fitted")
        return out


class SampleIndex:
    """The fitted rows' directions, ready for "which fitted rows are nearest to each new row" (cosine)
    in blocks: exactly (one matrix product against all of them) up to :attr:`EXACT` rows, past that
    through a coarse partition (spherical k-means, one cluster per ~200 rows): a new row is compared
    with the rows of the clusters nearest its own, ~3% of them. On GloVe (20,000 fitted rows) that costs
    a twentieth of the exact search and the places keep as many neighbours (trustworthiness within
    0.002 of the exact search's). Deterministic: seeded k-means, no threads racing."""

    EXACT = 5000

    def __init__(self, fitted: np.ndarray, *, per_cluster: int = 200, share: float = 0.03):
        self.base = unit_rows(np.asarray(fitted, dtype=np.float32))
        s = len(self.base)
        self.cent = None
        if s > self.EXACT:
            c = max(2, s // per_cluster)
            self.cent, lab = _spherical_kmeans(self.base, c)
            m = min(c, max(3, int(np.ceil(c * share))))  # a cluster and at least its two nearest
            near = np.argsort(-(self.cent @ self.cent.T), axis=1, kind="stable")[:, :m]
            members = [np.flatnonzero(lab == j) for j in range(c)]
            self.groups = [np.sort(np.concatenate([members[j] for j in row])) for row in near]
            self.group_rows = [self.base[g] for g in self.groups]

    def nearest(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(indices, cosines) ``[n, k]`` of the fitted rows nearest each unit row of ``q``, nearest first."""
        q = np.asarray(q, dtype=np.float32)
        k = min(k, len(self.base))
        idx = np.empty((len(q), k), dtype=np.int64)
        sim = np.empty((len(q), k), dtype=np.float32)
        if self.cent is None:
            _top(q, self.base, np.arange(len(self.base)), k, idx, sim, np.arange(len(q)))
            return idx, sim
        home = np.argmax(q @ self.cent.T, axis=1)
        order = np.argsort(home, kind="stable")
        bounds = np.searchsorted(home[order], np.arange(len(self.cent) + 1))
        for c in range(len(self.cent)):
            rows = order[bounds[c]:bounds[c + 1]]
            if len(rows):
                _top(q, self.group_rows[c], self.groups[c], k, idx, sim, rows)
        return idx, sim


def _top(q, b, cand, k, idx, sim, rows, block: int = 4096) -> None:
    """Into ``idx`` / ``sim`` at ``rows``: the ``k`` rows of ``b`` (whose indices are ``cand``) most alike
    each of ``q[rows]``, most alike first."""
    k = min(k, len(cand))
    for a in range(0, len(rows), block):
        r = rows[a:a + block]
        cos = q[r] @ b.T
        part = np.argpartition(-cos, k - 1, axis=1)[:, :k] if k < len(cand) else np.tile(np.arange(k), (len(r), 1))
        val = np.take_along_axis(cos, part, 1)
        o = np.argsort(-val, axis=1, kind="stable")
        idx[r, :k] = cand[np.take_along_axis(part, o, 1)]
        sim[r, :k] = np.take_along_axis(val, o, 1)


def _spherical_kmeans(x: np.ndarray, c: int, iters: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(unit centres ``[c, dim]``, each row's cluster ``[n]``) of unit rows ``x``, seeded."""
    cent = x[np.random.default_rng(seed).choice(len(x), c, replace=False)].copy()
    for _ in range(iters + 1):
        lab = np.argmax(x @ cent.T, axis=1)
        sums = np.zeros_like(cent)
        np.add.at(sums, lab, x)
        norm = np.linalg.norm(sums, axis=1, keepdims=True)
        cent = np.where(norm > 0, sums / np.maximum(norm, 1e-12), cent)
    return cent, lab


def place_near(index: SampleIndex, coords: np.ndarray, rows: np.ndarray, *, k: int = 20, starts: int = 8,
               sharpness: float = 0.05, bandwidth: float = 0.1, steps: int = 10) -> np.ndarray:
    """``[n, dims]`` places of new rows ``[n, dim]`` in a picture whose fitted rows (``index``) lie at
    ``coords``: from each row's ``k`` nearest fitted rows (cosine), weighted by ``exp((cos - best) /
    sharpness)``, the place where those neighbours lie densest: start at whichever of the ``starts``
    nearest has the most weight within ``bandwidth`` (a share of the picture's spread) of it, then
    ``steps`` of mean shift. A plain weighted average lands between the groups a word's neighbours
    fall in (trustworthiness 0.66 on GloVe's UMAP, against 0.82 for this and 0.81 for umap-learn's
    ``transform``)."""
    q = unit_rows(np.asarray(rows, dtype=np.float32))
    coords = np.asarray(coords, dtype=np.float32)
    spread = float(np.sqrt(((coords - coords.mean(0)) ** 2).sum(1).mean())) or 1.0
    inv = np.float32(1.0 / (2 * (bandwidth * spread) ** 2))
    idx, sim = index.nearest(q, k)
    w = np.exp((sim - sim[:, :1]) / np.float32(sharpness))
    out = np.empty((len(q), coords.shape[1]), dtype=np.float32)
    for a in range(0, len(q), 4096):  # blocks: [4,096, starts, k] distances at a time
        p = coords[idx[a:a + 4096]]  # [rows, k, dims]
        wb = w[a:a + 4096]
        d2 = ((p[:, :starts, None] - p[:, None]) ** 2).sum(-1)
        dens = np.einsum("rk,rsk->rs", wb, np.exp(-d2 * inv))
        y = p[np.arange(len(p)), np.argmax(dens, axis=1)]
        for _ in range(steps):
            kw = wb * np.exp(-((p - y[:, None]) ** 2).sum(-1) * inv) + np.float32(1e-30)
            y = np.einsum("rk,rkd->rd", kw, p) / kw.sum(1, keepdims=True)
        out[a:a + 4096] = y
    return out


def fit_projector(x: np.ndarray, method: str = "pca", n_components: int = 2, *, random_state: int = 0,
                  perplexity: float = 30.0, metric: str = "cosine", n_neighbors: int = 15, min_dist: float = 0.1,
                  progress: Progress | None = None) -> Projector:
    """Fit ``method`` (``pca``, ``tsne`` or ``umap``) on ``x`` ``[n, dim]``: a :class:`Projector` holding
    the places of ``x`` and what it needs to place more points. t-SNE runs on the top 50 principal
    components (kept, to place new rows the same way); its perplexity and UMAP's neighbours are clamped
    to what ``n`` allows, with a note."""
    step = reporter(progress)
    if method == "pca":
        with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
            from sklearn.decomposition import PCA

        pca = PCA(n_components, random_state=random_state).fit(x)
        return Projector(method, pca, pca.transform(x), explained_variance=pca.explained_variance_ratio_)
    if method not in ("tsne", "umap"):
        raise InputError(f"Unknown projection method {method!r}: pca, tsne or umap.")
    reduce = None
    full = np.asarray(x, dtype=np.float32)
    if method == "tsne":
        x, reduce = _reduce(x, random_state)
    model, notes = _fitter(x, method, n_components, random_state=random_state, perplexity=perplexity, metric=metric,
                           n_neighbors=n_neighbors, min_dist=min_dist, step=step)
    return Projector(method, model, np.asarray(model.embedding_ if method == "umap" else model), reduce=reduce,
                     notes=notes, fitted=full)


def _fitter(x: np.ndarray, method: str, n_components: int, *, random_state: int, perplexity: float, metric: str,
            n_neighbors: int, min_dist: float, step):
    """A fitted t-SNE (openTSNE ``TSNEEmbedding``) or UMAP model of ``x`` (for t-SNE, already reduced by
    :func:`_reduce`), and the notes about clamped knobs. Both can place new points (``transform``)."""
    n = len(x)
    notes = []
    if method == "tsne":
        if n < 4:
            raise InputError("t-SNE needs at least four points; PCA works with two.")
        with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
            from openTSNE import TSNE

        perp = float(perplexity)
        limit = max((n - 1) / 3.0, 1.0)
        if perp > limit:
            notes.append(f"Perplexity lowered from {perplexity:g} to {limit:.1f}: with {n} points it must stay below (n - 1) / 3.")
            perp = limit
        n_iter = 350  # after 250 early-exaggeration iterations; more moved trustworthiness by < 0.005

        seen = {"phase": 0, "last": 0}

        def cb(iteration, error, embedding):  # openTSNE counts each phase from 1: 250 exaggerated, then n_iter
            if iteration < seen["last"]:
                seen["phase"] += 1
            seen["last"] = iteration
            done = iteration + (250 if seen["phase"] else 0)
            step(min(done / (n_iter + 250), 0.99), f"fitting t-SNE on {n:,} points")

        # openTSNE's "auto" picks Barnes-Hut below ~10,000 points (4x faster than FFT at 3,000 here);
        # FFT gradients only exist in 2-D. theta 0.8 (a coarser Barnes-Hut) costs no trustworthiness.
        gradient = "bh" if n_components == 3 else "auto"
        tsne = TSNE(n_components=n_components, perplexity=perp, metric=metric, random_state=random_state,
                    n_jobs=2, n_iter=n_iter, theta=0.8, callbacks=cb, callbacks_every_iters=50,
                    negative_gradient_method=gradient, verbose=False)
        step(0.01, f"fitting t-SNE on {n:,} points: finding neighbours")
        return tsne.fit(x), notes
    if n < 4:
        raise InputError("UMAP needs at least four points; PCA works with two.")
    try:
        with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
            import umap
    except ModuleNotFoundError as e:  # missing, not broken: any other error is a bug and says so
        raise InputError("UMAP needs the umap-learn package (pip install umap-learn).") from e
    k = int(n_neighbors)
    if k > n - 1:
        notes.append(f"UMAP's neighbours lowered from {k} to {n - 1}: there are only {n} points.")
        k = n - 1
    if not 2 <= k <= 200:
        raise InputError("UMAP's neighbours must be between 2 and 200.")
    if not 0.0 <= float(min_dist) <= 1.0:
        raise InputError("UMAP's minimum distance must be between 0 and 1.")
    step(0.02, f"fitting UMAP on {n:,} points: finding neighbours (the first run in a process also compiles it)")
    # umap-learn reports its layout's epochs only through tqdm: a sink that hears "epoch/epochs" turns them
    # into this fit's progress (finding neighbours counted as the first fifth)
    epochs = _EpochSink(lambda f: step(0.2 + 0.79 * f, f"fitting UMAP on {n:,} points"))
    knn = (None, None, None)
    if metric == "cosine" and EXACT_KNN[0] <= n <= EXACT_KNN[1]:
        knn = exact_neighbours(x, k) + (None,)
    model = umap.UMAP(n_components=n_components, n_neighbors=k, min_dist=float(min_dist), metric=metric,
                      random_state=random_state, n_jobs=1, low_memory=True, precomputed_knn=knn,
                      tqdm_kwds={"disable": False, "file": epochs, "bar_format": "{n}/{total}", "mininterval": 0.5})
    import warnings

    with warnings.catch_warnings():  # "n_jobs overridden by setting random_state": that is the point of a seed
        warnings.simplefilter("ignore")
        model.fit(x)
    return model, notes


# UMAP's neighbours found exactly (one matrix product per block) for samples this big: below it umap-learn
# computes them exactly itself; up to 30,000 rows this costs seconds where its NN-descent spends ~40 s
# (most of it compiling) on two cores, and it finds the true neighbours. Such a fit cannot ``transform``.
EXACT_KNN = (4096, 30_000)


def exact_neighbours(x: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """(indices ``[n, k]`` int64, cosine distances ``[n, k]`` float32) of each row's ``k`` nearest rows of
    ``x`` ``[n, dim]``, itself first, nearest first: as umap-learn's own ``knn`` search gives them.

    >>> idx, dist = exact_neighbours(np.array([[1.0, 0], [0.9, 0.1], [0, 1.0]]), 2)
    >>> idx.tolist(), dist.astype(float).round(2).tolist()
    ([[0, 1], [1, 0], [2, 1]], [[0.0, 0.01], [0.0, 0.01], [0.0, 0.89]])
    """
    u = unit_rows(np.asarray(x, dtype=np.float32))
    n = len(u)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)
    for a in range(0, n, block):
        sims = u[a:a + block] @ u.T
        rows = np.arange(len(sims))
        sims[rows, rows + a] = np.inf  # itself first, even among exact duplicates
        part = np.argpartition(-sims, min(k, n) - 1, axis=1)[:, :k]
        top = np.take_along_axis(sims, part, 1)
        order = np.argsort(-top, axis=1, kind="stable")
        idx[a:a + block] = np.take_along_axis(part, order, 1)
        top = np.take_along_axis(top, order, 1)
        top[:, 0] = 1.0
        dist[a:a + block] = np.clip(1.0 - top, 0.0, 2.0)
    return idx, dist


class _EpochSink(io.TextIOBase):
    """A text file for tqdm that passes on the last "done/total" it is written as a fraction."""

    def __init__(self, report: Callable[[float], None]):
        self.report = report

    def write(self, text: str) -> int:
        import re

        found = re.findall(r"(\d+)/(\d+)", text)
        if found and int(found[-1][1]):
            self.report(int(found[-1][0]) / int(found[-1][1]))
        return len(text)

    def flush(self) -> None:
        pass


class Bar:
    """One bar for a build made of stages of known expected cost (seconds on this machine's kind): each
    stage's own progress 0-1 becomes the build's, weighted by cost, never going back, told in words with
    the time left (from the expected costs at first, then from the pace so far)."""

    def __init__(self, progress: Progress | None, stages: dict[str, float]):
        import time

        self.step, self.clock = reporter(progress), time.monotonic
        self.t0 = self.clock()
        self.total = sum(stages.values()) or 1.0
        self.start, a = {}, 0.0
        for name, cost in stages.items():
            self.start[name] = (a, cost)
            a += cost
        self.done = 0.0

    def stage(self, name: str, words: str) -> Progress:
        """The progress callback for stage ``name``; its messages are replaced by ``words``."""
        a, cost = self.start[name]
        return lambda f, _m: self.report((a + min(max(float(f), 0.0), 1.0) * cost) / self.total, words)

    def left(self) -> float:
        elapsed = self.clock() - self.t0
        expected = self.total * (1 - self.done)
        if self.done < 0.05:
            return max(expected - elapsed, 0.0) if elapsed < self.total else expected
        return elapsed * (1 - self.done) / self.done

    def report(self, fraction: float, words: str) -> None:
        self.done = max(self.done, min(fraction, 1.0))
        if self.done >= 1.0:
            self.step(1.0, words)
            return
        left = self.left()
        self.step(self.done, f"{words}: about {_duration(left)} left")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds)):d} s"
    return f"{seconds / 60:.0f} min" if seconds >= 600 else f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def expected_seconds(method: str, fit: int, placed: int) -> tuple[float, float]:
    """(fit, place) seconds a t-SNE / UMAP map of ``fit`` fitted and ``placed`` placed points is expected
    to take on two shared cores (measured on GloVe 50d, cold: UMAP on 20,000 ~26 s, half of it numba
    compiling; t-SNE 31-85 s as busy as the cores are; placing ~35,000-50,000 points a second, counted at
    40,000)."""
    per = 350 if method == "tsne" else 800
    return 2 + fit / per, placed / 40_000


def aligned_layers(stack: np.ndarray, random_state: int = 0) -> np.ndarray:
    """The same points at every layer, ``[layers, n, dim]``, as 2-D pictures ``[layers, n, 2]`` that
    follow on from each other: PCA of each layer, scaled to the same spread, then turned (and if need
    be mirrored) onto the layer before by orthogonal Procrustes, so that moving from one layer to the
    next shows how the points moved, not an arbitrary new rotation."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from scipy.linalg import orthogonal_procrustes
        from sklearn.decomposition import PCA

    stack = np.asarray(stack, dtype=np.float64)
    if stack.ndim != 3 or stack.shape[1] < 3:
        raise InputError("Following points across layers needs at least three points.")
    out = np.empty(stack.shape[:2] + (2,))
    for li, x in enumerate(stack):
        y = PCA(2, random_state=random_state).fit_transform(x)
        y /= np.sqrt((y ** 2).sum(1).mean()) or 1.0
        if li:
            r, _ = orthogonal_procrustes(y, out[li - 1])
            y = y @ r
        out[li] = y
    return out


def neighbour_preservation(x: np.ndarray, y: np.ndarray, k: int = 10) -> np.ndarray:
    """Per point, the share of its ``k`` nearest neighbours in the full space (cosine) that are also
    among its ``k`` nearest in the picture ``y`` (Euclidean): 1 = the picture keeps its neighbourhood,
    0 = it keeps none of it. ``[n]`` float32; at most ``limits.MAX_SCORED_POINTS`` points."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from scipy.spatial import cKDTree

    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    if n > limits.MAX_SCORED_POINTS:
        raise InputError(f"Neighbourhoods are scored for at most {limits.MAX_SCORED_POINTS:,} points, not {n:,}.")
    k = min(k, n - 1)
    if k < 1:
        return np.full(n, np.nan, dtype=np.float32)
    unit = unit_rows(x)
    full = np.empty((n, k), dtype=np.int64)
    for a in range(0, n, 2048):  # blocks of rows: 2,048 x n cosines at a time
        sims = unit[a:a + 2048] @ unit.T
        sims[np.arange(len(sims)), np.arange(a, a + len(sims))] = -np.inf
        part = np.argpartition(-sims, k, axis=1)[:, :k]
        full[a:a + 2048] = part
    _, pic = cKDTree(np.asarray(y, dtype=np.float64)).query(y, k=k + 1)
    pic = pic[:, 1:]
    kept = np.array([len(np.intersect1d(f, p, assume_unique=True)) for f, p in zip(full, pic)], dtype=np.float32)
    return kept / k


def fit_and_place(x: np.ndarray, method: str = "pca", *, sample: int = 20_000, random_state: int = 0,
                  perplexity: float = 30.0, n_neighbors: int = 15, min_dist: float = 0.1, metric: str = "cosine",
                  progress: Progress | None = None, chunk: int = 50_000, unit: str = "points") -> Projection:
    """A 2-D picture of many points ``x`` ``[n, dim]``: PCA of all of them directly; t-SNE and UMAP
    fitted on the first ``sample`` rows (the most frequent words, in a GloVe table) and the rest
    placed among them (:meth:`Projector.place`: where their nearest fitted rows lie densest), ``chunk``
    rows at a time, so the cost grows linearly with ``n``. ``progress`` hears one bar for the build,
    the fit and the placing weighted by their expected cost, in words (``unit``: "points", "words")
    with the time left."""
    step = reporter(progress)
    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    if x.ndim != 2 or n < 2:
        raise InputError("A map needs a table of at least two vectors.")
    if n > limits.MAX_MAP_POINTS:
        raise InputError(f"{n:,} points is more than a map here holds ({limits.MAX_MAP_POINTS:,}, about "
                         f"{limits.MAX_MAP_POINTS * x.shape[1] * 4 / 1e9:.1f} GB of vectors); map fewer words.")
    if method == "pca":  # PCA is cheap and linear: fitted on all the points
        step(0.1, f"PCA of {n:,} points")
        fitted = fit_projector(x, "pca", random_state=random_state)
        out = fitted.coords.astype(np.float32).view(Projection)
        out.explained_variance = fitted.explained_variance
        out.notes = []
    elif method in ("tsne", "umap"):
        s = min(int(sample), n)
        if s > limits.MAX_FIT_POINTS:
            raise InputError(f"{METHODS[method]} is fitted on at most {limits.MAX_FIT_POINTS:,} points here (its "
                             f"neighbour graph and layout take minutes and gigabytes beyond that), not {s:,}; "
                             "the rest are placed by the fitted model.")
        fit_s, place_s = expected_seconds(method, s, n - s)
        bar = Bar(progress, {"fit": fit_s, "place": place_s})
        fitted = fit_projector(x[:s], method, random_state=random_state, perplexity=perplexity, metric=metric,
                               n_neighbors=n_neighbors, min_dist=min_dist,
                               progress=bar.stage("fit", f"fitting {METHODS[method]} on {s:,} {unit}"))
        out = fitted.place_all(x, chunk=chunk, progress=bar.stage("place", f"placing {n - s:,} {unit}"))
        out = out.view(Projection)
        out.explained_variance = None
        out.notes = fitted.notes + ([f"{METHODS[method]} was fitted on the first {s:,} of {n:,} points; the other "
                                     f"{n - s:,} were placed where their nearest fitted points lie."] if s < n else [])
    else:
        raise InputError(f"Unknown projection method {method!r}: pca, tsne or umap.")
    out.method = method
    out.trustworthiness = None
    step(1.0, "Done")
    return out


def picture(x: np.ndarray, method: str = "pca", *, sample: int = 20_000, random_state: int = 0,
            perplexity: float = 30.0, n_neighbors: int = 15, min_dist: float = 0.1,
            progress: Progress | None = None) -> Projection:
    """A 2-D picture of any number of points ``x`` ``[n, dim]``: projected directly (:func:`project`) up
    to :data:`MAX_POINTS`, past that fitted on the first ``sample`` and the rest placed
    (:func:`fit_and_place`)."""
    knobs = dict(random_state=random_state, perplexity=perplexity, n_neighbors=n_neighbors, min_dist=min_dist,
                 progress=progress)
    if len(x) <= MAX_POINTS:
        return project(x, method, 2, **knobs)
    return fit_and_place(x, method, sample=min(len(x), sample), **knobs)


def projector_tsv(vectors: np.ndarray, labels: list[dict]) -> tuple[str, str]:
    """The two files the TensorFlow Embedding Projector loads: (vectors.tsv, metadata.tsv)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from .exports import safe_cell

    v = np.asarray(vectors, dtype=np.float32)
    buf = io.BytesIO()  # Arrow's writer: 300,000 x 50 numbers in ~3 s, a sixth of Python's string formatting
    pacsv.write_csv(pa.table({f"v{j}": v[:, j] for j in range(v.shape[1])}), buf,
                    pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"))
    cols = list(labels[0]) if labels else ["label"]

    def clean(s) -> str:
        return safe_cell(str(s).replace("\t", " ").replace("\n", " ").replace("\r", " "))

    meta = "\t".join(cols) + "\n" + "\n".join("\t".join(clean(r.get(c, "")) for c in cols) for r in labels) + "\n"
    return buf.getvalue().decode(), meta
