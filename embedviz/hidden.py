"""What the encoder's hidden states mean: word vectors by pooling strategy, whole words from their pieces,
sentence vectors, per-layer statistics. The forward pass that computes them is :mod:`embedviz.forward`.

>>> import embedviz as ev
>>> hs = ev.load_encoder().hidden_states("After stealing money from the bank vault, the bank robber "
...                                      "was seen fishing on the Mississippi river bank.")
>>> ev.word_vectors(hs, "sum_last_4").shape == (len(hs.tokens), hs.array.shape[2])
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .tokens import Tokenization
from .vecmath import unit_rows

# The feature-based strategies of the BERT paper's table, as the tutorial names them.
WORD_STRATEGIES = {
    "last": "Last hidden layer",
    "second_to_last": "Second-to-last hidden layer",
    "first": "Embedding layer (layer 0)",
    "sum_last_4": "Sum of the last four layers",
    "concat_last_4": "Concatenation of the last four layers",
    "sum_all": "Sum of all layers",
}
PIECE_POOLING = {"mean": "mean of the pieces", "sum": "sum of the pieces", "first": "first piece",
                 "last": "last piece"}
SENTENCE_STRATEGIES = {
    "second_to_last_mean": "Mean of the second-to-last layer (the tutorial's)",
    "last_mean": "Mean of the last layer",
    "cls": "The [CLS] token's last-layer vector",
    "model": "The model's own pooling",
}


@dataclass(frozen=True)
class HiddenStates:
    """All hidden states of one input. ``array``: ``[layers + 1, tokens, hidden]``, read-only;
    index 0 is the embedding layer's output."""

    tokenization: Tokenization
    array: np.ndarray

    @property
    def tokens(self) -> list[str]:
        return self.tokenization.tokens

    @property
    def num_layers(self) -> int:
        return self.array.shape[0] - 1

    def describe(self) -> str:
        n_l, n_t, n_h = self.array.shape
        return (f"{n_l} layers (the embeddings + {n_l - 1} transformer layers) x {n_t} tokens x {n_h} "
                f"features = {self.array.size:,} values")


def word_vectors(hs: HiddenStates | np.ndarray, strategy: str = "sum_last_4") -> np.ndarray:
    """One vector per token, ``[tokens, dim]``; ``dim`` is 4 x hidden for ``concat_last_4``.

    ``last``: ``h[-1]``; ``second_to_last``: ``h[-2]``; ``first``: ``h[0]``; ``sum_last_4``:
    ``h[-4:].sum(0)``; ``concat_last_4``: ``concat(h[-1], h[-2], h[-3], h[-4])``; ``sum_all``:
    ``h.sum(0)``. A model with fewer than four layers uses all it has for the ``_4`` strategies.
    """
    h = hs.array if isinstance(hs, HiddenStates) else hs
    if strategy == "last":
        return h[-1]
    if strategy == "second_to_last":
        return h[-2]
    if strategy == "first":
        return h[0]
    if strategy == "sum_last_4":
        return h[-4:].sum(axis=0)
    if strategy == "concat_last_4":
        return np.concatenate([h[-k] for k in range(1, min(4, h.shape[0]) + 1)], axis=1)
    if strategy == "sum_all":
        return h.sum(axis=0)
    raise InputError(f"Unknown word strategy {strategy!r}; choose one of {', '.join(WORD_STRATEGIES)}.")


def pool(pieces: np.ndarray, how: str = "mean") -> np.ndarray:
    """Pool a word's piece vectors ``[pieces, ...]`` along the first axis: mean, sum, first or last."""
    if how == "mean":
        return pieces.mean(axis=0)
    if how == "sum":
        return pieces.sum(axis=0)
    if how == "first":
        return pieces[0]
    if how == "last":
        return pieces[-1]
    raise InputError(f"Unknown piece pooling {how!r}; choose one of {', '.join(PIECE_POOLING)}.")


def pool_pieces(vectors: np.ndarray, tokenization: Tokenization, how: str = "mean",
                *, skip_special: bool = True) -> tuple[list[str], np.ndarray]:
    """Whole-word vectors from token vectors ``[tokens, dim]``: each word's pieces pooled by ``how``.

    Returns (words, ``[words, dim]``). Special tokens are left out unless ``skip_special`` is False,
    in which case each stands as its own word.
    """
    pool(vectors[:1], how)  # check ``how`` before any work
    groups: dict[tuple, list[int]] = {}
    for i, w in enumerate(tokenization.word_ids):
        if w < 0 and skip_special:
            continue
        groups.setdefault(("w", w) if w >= 0 else ("s", i), []).append(i)
    words, rows = [], []
    for key, idx in groups.items():
        words.append(tokenization.words[key[1]] if key[0] == "w" else tokenization.tokens[idx[0]])
        rows.append(pool(vectors[idx], how))
    return words, np.stack(rows) if rows else np.zeros((0, vectors.shape[1]), dtype=vectors.dtype)


def sentence_vector(hs: HiddenStates, strategy: str = "second_to_last_mean", *,
                    pooling: dict | None = None) -> np.ndarray:
    """One vector for the whole input, ``[hidden]`` (ask it as ``enc.sentence_vector(text, strategy)``).

    ``second_to_last_mean``: mean over all tokens of ``h[-2]`` (the tutorial's); ``last_mean``: of
    ``h[-1]``; ``cls``: ``h[-1][0]``; ``model``: the model's own sentence-transformers pooling
    (``pooling`` as read from the model folder; mean of ``h[-1]`` when it has none), L2-normalised
    when the model normalises.
    """
    h = hs.array
    if strategy == "second_to_last_mean":
        return h[-2].mean(axis=0)
    if strategy == "last_mean":
        return h[-1].mean(axis=0)
    if strategy == "cls":
        return h[-1][0]
    if strategy == "model":
        p = pooling or {}
        last = h[-1]
        if p.get("pooling_mode_cls_token"):
            v = last[0]
        elif p.get("pooling_mode_max_tokens"):
            v = last.max(axis=0)
        else:
            v = last.mean(axis=0)
        if p.get("normalize"):
            v = unit_rows(v)
        return v
    raise InputError(f"Unknown sentence strategy {strategy!r}; choose one of {', '.join(SENTENCE_STRATEGIES)}.")


@dataclass(frozen=True)
class LayerStats:
    """Per layer and token summaries, each ``[layers + 1, tokens]``, and standout dimensions."""

    norm: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    outliers: list[tuple[int, int, float]]  # (layer, dimension, how many times the typical magnitude)


def layer_stats(hs: HiddenStates, *, outlier_factor: float = 6.0) -> LayerStats:
    """Norm, mean and spread of every token's vector at every layer, and the dimensions whose
    mean magnitude at a layer stands more than ``outlier_factor`` times above that layer's median
    (the "rogue dimensions" known in BERT)."""
    h = hs.array
    outliers = []
    mag = np.abs(h).mean(axis=1)  # [layers + 1, hidden]
    for layer, row in enumerate(mag):
        med = float(np.median(row)) or 1e-9
        for d in np.flatnonzero(row > outlier_factor * med):
            outliers.append((layer, int(d), float(row[d] / med)))
    outliers.sort(key=lambda t: -t[2])
    return LayerStats(np.linalg.norm(h, axis=2), h.mean(axis=2), h.std(axis=2), outliers)


def layer_points(hs: HiddenStates, *, skip_special: bool = True) -> tuple[np.ndarray, list[dict]]:
    """Every token at every layer, ``[(layers + 1) * tokens, hidden]``, with rows (token, layer,
    position), so that one projection holds all layers and a token's path can be drawn through them."""
    t = hs.tokenization
    keep = [i for i in range(len(t.tokens)) if not (skip_special and t.special[i])]
    vecs = hs.array[:, keep].reshape(-1, hs.array.shape[2])
    rows = [{"token": t.tokens[i], "layer": layer, "position": i} for layer in range(hs.array.shape[0]) for i in keep]
    return vecs, rows
