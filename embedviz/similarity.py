"""How alike two vectors are: cosine matrices, repeated words across layers, the anisotropy baseline.

>>> import embedviz as ev
>>> enc = ev.load_encoder()
>>> hs = [enc.hidden_states("After stealing money from the bank vault, the bank robber was seen "
...                         "fishing on the Mississippi river bank.")]
>>> ls = ev.layer_similarity(hs, "bank")
>>> ls.labels[0], ls.values.shape
('bank (vault) ~ bank (robber)', (3, 7))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cache import memoize
from .errors import InputError
from .hidden import WORD_STRATEGIES, HiddenStates, pool, word_vectors
from .uses import Occurrence, compared_uses, occurrence_vectors, occurrences
from .vecmath import cos, cos_sim, unit_rows


@dataclass(frozen=True)
class LayerSimilarity:
    """Cosine similarity of every pair of a word's uses at every layer.

    ``values``: ``[pairs, layers + 1]``; ``labels[k]`` names pair k ("bank (vault) ~ bank (river)");
    ``pairs[k]`` is the (i, j) of the two occurrences in ``occurrences``.
    """

    word: str
    occurrences: list[Occurrence]
    pairs: list[tuple[int, int]]
    labels: list[str]
    values: np.ndarray
    note: str | None = None  # set when only the first MAX_USES uses were compared


def layer_similarity(hs_list: list[HiddenStates], word: str, *, pieces: str = "mean",
                     baseline: np.ndarray | None = None, mode: str = "raw",
                     mean_vectors: np.ndarray | None = None) -> LayerSimilarity:
    """Similarity of each pair of uses of ``word`` at each layer.

    ``mode``: ``raw`` cosine; ``relative`` rescales by the anisotropy ``baseline`` [layers + 1]:
    ``(cos - b) / (1 - b)``, so 0 means "as alike as unrelated tokens"; ``centred`` subtracts
    ``mean_vectors`` [layers + 1, hidden] (the average token) before the cosine.
    """
    occ, note = compared_uses(hs_list, word)
    if not occ:
        raise InputError(f"{word!r} does not occur in the text.")
    if len(occ) < 2:
        raise InputError(f"{word!r} occurs only once; pick a word used at least twice, or add a sentence that uses it.")
    vecs = occurrence_vectors(hs_list, occ, pieces=pieces)
    if mode == "centred":
        if mean_vectors is None:
            raise InputError("Mean-centred similarity needs the baseline's mean vectors.")
        vecs = vecs - mean_vectors[None, : vecs.shape[1], : vecs.shape[2]]
    pairs, labels = _pairs(occ)
    unit = unit_rows(vecs)
    vals = np.array([(unit[i] * unit[j]).sum(axis=1) for i, j in pairs], dtype=np.float64)
    if mode == "relative":
        if baseline is None:
            raise InputError("Similarity relative to the baseline needs the baseline.")
        vals = (vals - baseline[None, :]) / np.maximum(1 - baseline[None, :], 1e-6)
    elif mode not in ("raw", "centred"):
        raise InputError(f"Unknown mode {mode!r}: raw, relative or centred.")
    return LayerSimilarity(word, occ, pairs, labels, vals, note)


def _pairs(occ: list[Occurrence]) -> tuple[list[tuple[int, int]], list[str]]:
    """Every pair of uses (i < j), and its label "bank (vault) ~ bank (river)"."""
    pairs = [(i, j) for i in range(len(occ)) for j in range(i + 1, len(occ))]
    return pairs, [f"{occ[i].label} ~ {occ[j].label}" for i, j in pairs]


def strategy_table(hs_list: list[HiddenStates], word: str, *, pieces: str = "mean") -> tuple[list[str], dict[str, list[float]]]:
    """For each word strategy, the cosine of each pair of uses of ``word``: (pair labels, {strategy: [cos]})."""
    occ, _ = compared_uses(hs_list, word)
    if len(occ) < 2:
        raise InputError(f"{word!r} needs to occur at least twice.")
    pairs, labels = _pairs(occ)
    out = {}
    for strat in WORD_STRATEGIES:
        vs = [pool(word_vectors(hs_list[o.sentence], strat)[list(o.token_indices)], pieces) for o in occ]
        out[strat] = [cos(vs[i], vs[j]) for i, j in pairs]
    return labels, out


@dataclass(frozen=True)
class UseVectors:
    """What each word strategy builds for one use of a word: ``pieces`` names its tokens (one, or
    several ``##`` pieces); ``piece_vectors[strategy]`` is ``[pieces, dim]`` and ``vectors[strategy]``
    is the word's vector ``[dim]``, its pieces pooled (``dim`` is 4 x hidden for concatenation)."""

    label: str
    pieces: list[str]
    piece_vectors: dict[str, np.ndarray]
    vectors: dict[str, np.ndarray]


def use_vectors(hs_list: list[HiddenStates], word: str, *, use: int = 0, pieces: str = "mean") -> UseVectors:
    """Every strategy's vector for use number ``use`` of ``word``: the tutorial's concatenation and
    sum of the last four layers as actual vectors, and an out-of-vocabulary word built from its pieces."""
    occ = occurrences(hs_list, word)
    if not occ:
        raise InputError(f"{word!r} does not occur in the text.")
    o = occ[min(use, len(occ) - 1)]
    hs = hs_list[o.sentence]
    idx = list(o.token_indices)
    per_piece = {k: word_vectors(hs, k)[idx] for k in WORD_STRATEGIES}
    return UseVectors(o.label, [hs.tokens[i] for i in idx], per_piece, {k: pool(v, pieces) for k, v in per_piece.items()})


@dataclass(frozen=True)
class Baseline:
    """What "unrelated" scores: ``mean_cos[l]`` is the mean cosine of tokens from different reference
    sentences at layer l; ``mean_vector[l]`` the average token vector, for mean-centring."""

    mean_cos: np.ndarray
    mean_vector: np.ndarray
    n_tokens: int


def anisotropy_baseline(hs_list: list[HiddenStates]) -> Baseline:
    """Mean cosine similarity, per layer, between non-special tokens of *different* sentences
    (tokens of the same word left out), from a set of varied reference sentences."""
    vecs, sent, ids = [], [], []
    for s, hs in enumerate(hs_list):
        keep = [i for i, sp in enumerate(hs.tokenization.special) if not sp]
        vecs.append(hs.array[:, keep])
        sent += [s] * len(keep)
        ids += [hs.tokenization.ids[i] for i in keep]
    allv = np.concatenate(vecs, axis=1)  # [layers + 1, N, H]
    sent_a, ids_a = np.array(sent), np.array(ids)
    ok = (sent_a[:, None] != sent_a[None, :]) & (ids_a[:, None] != ids_a[None, :])
    means = []
    for layer in allv:
        c = cos_sim(layer)
        means.append(float(c[ok].mean()))
    return Baseline(np.array(means), allv.mean(axis=1), allv.shape[1])


@memoize(maxsize=8)
def reference_baseline(encoder) -> Baseline:
    """The anisotropy baseline of ``encoder`` on the built-in reference sentences (computed once; ask it
    as ``enc.reference_baseline()``)."""
    from .examples import REFERENCE_SENTENCES

    return anisotropy_baseline(encoder.hidden_states_many(REFERENCE_SENTENCES))


@dataclass(frozen=True)
class PairContributions:
    """What makes two mean-pooled sentence vectors alike: ``values[i, j]`` = a_i . b_j / (n m |mean a|
    |mean b|), whose sum over all token pairs is exactly the cosine of the two means."""

    rows: list[str]
    cols: list[str]
    values: np.ndarray
    cosine: float

    @property
    def total(self) -> float:
        return float(self.values.sum())

    def top(self, k: int = 10) -> list[tuple[str, str, float]]:
        flat = np.argsort(-self.values, axis=None)[:k]
        return [(self.rows[i], self.cols[j], float(self.values[i, j])) for i, j in zip(*np.unravel_index(flat, self.values.shape))]


MEAN_LAYER = {"second_to_last_mean": -2, "last_mean": -1}


def pair_contributions(a, b, strategy: str = "second_to_last_mean", *, pooling: dict | None = None) -> PairContributions:
    """Token-pair contributions to the cosine of two sentences' vectors (:class:`PairContributions`),
    for the mean-pooling strategies: ``second_to_last_mean``, ``last_mean`` and ``model`` when the
    model mean-pools (its normalising does not change a cosine). ``a``, ``b``: HiddenStates."""
    if strategy == "model":
        p = pooling or {}
        if p.get("pooling_mode_cls_token") or p.get("pooling_mode_max_tokens"):
            raise InputError("This model pools with [CLS] or a maximum, not a mean: its cosine does not split into token pairs.")
        layer = -1
    elif strategy in MEAN_LAYER:
        layer = MEAN_LAYER[strategy]
    else:
        raise InputError("Only a mean of token vectors splits exactly into token pairs; [CLS] is one vector, not a sum.")
    x, y = np.asarray(a.array[layer], dtype=np.float64), np.asarray(b.array[layer], dtype=np.float64)
    ma, mb = x.mean(0), y.mean(0)
    scale = len(x) * len(y) * np.linalg.norm(ma) * np.linalg.norm(mb)
    values = (x @ y.T) / max(scale, 1e-12)
    cosine = cos(ma, mb)
    values.setflags(write=False)
    return PairContributions(list(a.tokens), list(b.tokens), values, cosine)


@dataclass(frozen=True)
class Parting:
    """Where one use of a word parts from its other uses, layer by layer (``[layers + 1]`` each):
    ``to_others[l]`` = mean cos(use, other_i) at layer l, ``among[l]`` = mean cos(other_i, other_j), and
    ``gap[l] = among[l] - to_others[l]``: how much less alike the use is to the others than they are to
    each other. ``layer``: where the gap is widest (0 = the embeddings)."""

    to_others: np.ndarray
    among: np.ndarray
    gap: np.ndarray
    layer: int


def parting(use: np.ndarray, others: list[np.ndarray] | dict[str, np.ndarray]) -> Parting:
    """:class:`Parting` of ``use`` ``[layers + 1, hidden]`` from ``others`` (each ``[layers + 1, hidden]``,
    at least two): the layer where, say, the river "bank" is furthest from the money "bank"s relative to
    how close those are to each other."""
    others = list(others.values()) if isinstance(others, dict) else list(others)
    if len(others) < 2:
        raise InputError("Comparing a use with the others needs at least two other uses of the word.")
    u = unit_rows(np.asarray(use, dtype=np.float64))
    o = unit_rows(np.stack([np.asarray(v, dtype=np.float64) for v in others], axis=1))  # [layers + 1, n, hidden]
    to_others = np.einsum("lh,lnh->ln", u, o).mean(axis=1)
    pair = np.einsum("lnh,lmh->lnm", o, o)
    iu = np.triu_indices(o.shape[1], 1)
    among = pair[:, iu[0], iu[1]].mean(axis=1)
    gap = among - to_others
    return Parting(to_others, among, gap, int(np.argmax(gap)))
