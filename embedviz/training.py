"""Training a tiny embedding model from scratch.

The tutorial's model: an ``nn.Embedding`` lookup table and a ``Linear`` layer that, given a word,
predicts the words of its group. Words that predict the same neighbours end up with similar vectors:
the same idea that word2vec's skip-gram and GloVe's co-occurrence counts scale up.

>>> import embedviz as ev
>>> res = ev.train_embeddings([["car", "bike", "plane"], ["cat", "dog", "bird"], ["orange", "apple", "grape"]])
>>> res.vectors.shape
(9, 3)
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .cache import memoize
from .errors import InputError
from .jobs import IMPORTS
from .limits import (
    LR_RANGE,
    MAX_EPOCHS,
    MAX_GROUP_WORDS,
    MAX_SKIPGRAM_CHARS,
    MAX_SKIPGRAM_LOGITS,
    MAX_SKIPGRAM_WORK,
    SKIPGRAM_SOFTMAX_COST,
)
from .progress import Progress
from .vecmath import unit_rows
from .vectors import StaticVectors

TUTORIAL_GROUPS = [["car", "bike", "plane"], ["cat", "dog", "bird"], ["orange", "apple", "grape"]]


@dataclass(frozen=True)
class TrainingResult:
    """``vectors``: ``[words, dim]`` learned vectors; ``losses``: ``[epochs]``; ``snapshots``:
    ``[frames, words, dim]`` taken at ``snapshot_epochs``; ``group_of[i]`` is word i's group."""

    words: list[str]
    group_of: list[int]
    vectors: np.ndarray
    losses: np.ndarray
    snapshots: np.ndarray
    snapshot_epochs: list[int]

    def group_names(self) -> list[str]:
        """Each word's group, named by its words ("car, bike, plane")."""
        names = {g: ", ".join(w for w, h in zip(self.words, self.group_of) if h == g) for g in set(self.group_of)}
        return [names[g] for g in self.group_of]

    def similarity(self) -> np.ndarray:
        """``[words, words]`` cosine similarity of the learned vectors."""
        u = unit_rows(self.vectors)
        return u @ u.T

    def within_across(self) -> tuple[float, float]:
        """Mean cosine of pairs in the same group, and of pairs in different groups."""
        s = self.similarity()
        g = np.array(self.group_of)
        same = (g[:, None] == g[None, :]) & ~np.eye(len(g), dtype=bool)
        diff = g[:, None] != g[None, :]
        return float(s[same].mean()) if same.any() else float("nan"), float(s[diff].mean())


def check_settings(dim: int, epochs: int, lr: float, *, max_dim: int = 64, max_epochs: int = MAX_EPOCHS) -> None:
    if not 1 <= dim <= max_dim:
        raise InputError(f"The dimension must be between 1 and {max_dim}; {dim} was asked for.")
    if not 1 <= epochs <= max_epochs:
        raise InputError(f"Epochs must be between 1 and {max_epochs:,} (a click here trains for a few seconds at "
                         f"most); {epochs:,} was asked for.")
    lo, hi = LR_RANGE
    if not lo <= lr <= hi:
        raise InputError(f"The learning rate must be between {lo:g} and {hi:g}: below, nothing moves in a few "
                         f"thousand epochs; above, training diverges. {lr:g} was asked for.")


@contextlib.contextmanager
def _one_thread():
    """Train on one thread: these tensors are tiny, and torch's second thread only adds overhead
    (measured: 1,000 epochs of 60 words, 2.3 CPU-s on one thread against 11 on two)."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _report(progress: Progress | None, epoch: int, epochs: int) -> None:
    if progress and epoch % max(1, epochs // 20) == 0:
        progress(epoch / epochs, f"Epoch {epoch:,} of {epochs:,}")


def parse_groups(text: str) -> list[list[str]]:
    """One group per line, words separated by commas or spaces; empty lines skipped."""
    return [g for g in ([w for w in re.split(r"[,\s]+", line.strip().lower()) if w] for line in text.splitlines()) if g]


def _check_groups(groups: list[list[str]]) -> None:
    n = sum(len(g) for g in groups)
    if n > MAX_GROUP_WORDS:
        raise InputError(f"{n:,} words is more than the {MAX_GROUP_WORDS} trained live here (training time grows "
                         "with the square of the words); use fewer.")
    if len(groups) < 2:
        raise InputError("Give at least two groups (one per line), so there is something to tell apart.")
    small = [g[0] for g in groups if len(set(g)) < 2]
    if small:
        raise InputError(f"Each group needs at least two different words; this group has one: {', '.join(small)}.")
    owner: dict[str, int] = {}
    for k, g in enumerate(groups):
        for w in set(g):
            if w in owner:
                raise InputError(f"'{w}' is in group {owner[w] + 1} and group {k + 1}; put each word in one group.")
            owner[w] = k


@memoize(maxsize=32)
@_one_thread()
def train_embeddings(groups: list[list[str]], *, dim: int = 3, epochs: int = 300, lr: float = 0.05,
                     random_state: int = 0, n_snapshots: int = 30, progress: Progress | None = None) -> TrainingResult:
    """Train the tutorial's Embedding + Linear model to predict, from each word, the other words of
    its group (full-batch Adam, cross-entropy). Deterministic for a given ``random_state``.
    ``progress(fraction, message)`` is called every few epochs (an app can stop the work there)."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch

    check_settings(dim, epochs, lr)
    groups = [list(dict.fromkeys(g)) for g in groups]
    _check_groups(groups)
    words = [w for g in groups for w in g]
    group_of = [k for k, g in enumerate(groups) for _ in g]
    idx = {w: i for i, w in enumerate(words)}
    pairs = [(idx[a], idx[b]) for g in groups for a in g for b in g if a != b]
    x = torch.tensor([p[0] for p in pairs])
    y = torch.tensor([p[1] for p in pairs])
    gen = torch.Generator().manual_seed(random_state)
    emb = torch.nn.Embedding(len(words), dim)
    lin = torch.nn.Linear(dim, len(words))
    with torch.no_grad():
        for p in (emb.weight, lin.weight, lin.bias):
            p.copy_(torch.randn(p.shape, generator=gen) * (0.5 if p is emb.weight else 0.1))
    opt = torch.optim.Adam(list(emb.parameters()) + list(lin.parameters()), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    marks = sorted(set(np.linspace(0, epochs, min(n_snapshots, epochs + 1)).round().astype(int).tolist()))
    losses, snaps, snap_epochs = [], [], []
    for epoch in range(epochs + 1):
        if epoch in marks:
            snaps.append(emb.weight.detach().numpy().copy())
            snap_epochs.append(epoch)
        if epoch == epochs:
            break
        _report(progress, epoch, epochs)
        opt.zero_grad()
        loss = loss_fn(lin(emb(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return TrainingResult(words, group_of, emb.weight.detach().numpy().copy(), np.array(losses),
                          np.stack(snaps), snap_epochs)


@dataclass(frozen=True)
class SkipGramResult:
    vectors: StaticVectors
    losses: np.ndarray
    n_tokens: int
    n_pairs: int


def tokenize_corpus(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())


@memoize(maxsize=32)
@_one_thread()
def train_skipgram(text: str, *, dim: int = 8, window: int = 2, epochs: int = 100, lr: float = 0.02,
                   min_count: int = 1, random_state: int = 0, progress: Progress | None = None) -> SkipGramResult:
    """A small skip-gram model on pasted text: each word predicts the words within ``window`` of
    it (full softmax: the vocabulary is small). Returns the learned vectors as :class:`StaticVectors`."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch

    check_settings(dim, epochs, lr, max_dim=300)
    if not 1 <= window <= 10:
        raise InputError("The window must be between 1 and 10 words.")
    if len(text or "") > MAX_SKIPGRAM_CHARS:
        raise InputError(f"That text is {len(text):,} characters; a model trained live here takes at most "
                         f"{MAX_SKIPGRAM_CHARS:,}.")
    toks = tokenize_corpus(text or "")
    counts = Counter(toks)
    vocab = sorted(w for w, c in counts.items() if c >= min_count)
    if len(vocab) < 5:
        raise InputError("The text has fewer than five different words (after the minimum count); paste more text.")
    if len(vocab) > 20_000:
        raise InputError("That text has over 20,000 different words; paste less for a model trained live.")
    idx = {w: i for i, w in enumerate(vocab)}
    ids = [idx[w] for w in toks if w in idx]
    centre, context = [], []
    for i, c in enumerate(ids):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i:
                centre.append(c)
                context.append(ids[j])
    # Each epoch computes a pairs x vocabulary table of logits (full softmax) and its gradient: that
    # costs about (dimensions + SOFTMAX_COST) multiply-adds a cell, whatever the dimension.
    per_epoch = len(centre) * len(vocab) * (dim + SKIPGRAM_SOFTMAX_COST)
    if per_epoch * epochs > MAX_SKIPGRAM_WORK:
        most = MAX_SKIPGRAM_WORK // max(per_epoch, 1)
        raise InputError(f"{len(centre):,} (word, neighbour) pairs x {len(vocab):,} words (each pair scores every "
                         f"word) x {epochs:,} epochs is more work than one click may take here; "
                         + (f"with this text, window and dimension, at most {most:,} epochs." if most else
                            "paste less text or choose a smaller window."))
    x, y = torch.tensor(centre), torch.tensor(context)
    torch.manual_seed(random_state)
    emb = torch.nn.Embedding(len(vocab), dim)
    out = torch.nn.Linear(dim, len(vocab))
    opt = torch.optim.Adam(list(emb.parameters()) + list(out.parameters()), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    # The logits are computed a block of pairs at a time and the gradients added up: the same full-batch
    # step, in at most MAX_SKIPGRAM_LOGITS cells of memory (all pairs at once: +3.7 GB for 4,000 words).
    block = max(1, MAX_SKIPGRAM_LOGITS // len(vocab))
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    for epoch in range(epochs):
        _report(progress, epoch, epochs)
        opt.zero_grad()
        total = 0.0
        for a in range(0, len(x), block):
            loss = loss_fn(out(emb(x[a:a + block])), y[a:a + block]) / len(x)
            loss.backward()
            total += loss.item()
        opt.step()
        losses.append(total)
    vecs = StaticVectors(vocab, emb.weight.detach().numpy().copy(),
                         f"skip-gram on your text ({len(vocab):,} words, {len(ids):,} tokens)")
    return SkipGramResult(vecs, np.array(losses), len(ids), len(centre))
