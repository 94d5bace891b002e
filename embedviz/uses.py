"""Uses of words across several inputs: which words repeat, where each use is (its tokens and a
label from its nearest content word, "bank (river)"), and each use's vectors. The questions that
compare uses (:mod:`embedviz.similarity`, :mod:`embedviz.attention`) start from these.

>>> import embedviz as ev
>>> enc = ev.load_encoder()
>>> hs = [enc.hidden_states("After stealing money from the bank vault, the bank robber was seen "
...                         "fishing on the Mississippi river bank.")]
>>> [o.label for o in ev.occurrences(hs, "bank")]
['bank (vault)', 'bank (robber)', 'bank (river)']
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .hidden import HiddenStates, pool
from .limits import MAX_USES

STOPWORDS = set("""a an the and or but of to in on at by for from with as is was were be been are it its this that
these those he she they we i you his her their our my your him them us me who whom which what where when while
after before over under into out up down off about than then so if not no do does did has have had will would
can could should may might must there here very just also""".split())


@dataclass(frozen=True)
class Occurrence:
    """One use of a word: which input, which tokens (its pieces), and a short context label."""

    sentence: int
    token_indices: tuple[int, ...]
    label: str


def _norm_word(w: str) -> str:
    return w.lower().strip()


def repeated_words(hs_list: list[HiddenStates], *, min_count: int = 2) -> list[tuple[str, int]]:
    """Words (letters only) that occur at least ``min_count`` times across the inputs, most frequent
    first, with function words ("the", "of") after the content words."""
    counts: Counter[str] = Counter()
    for hs in hs_list:
        for w in hs.tokenization.words:
            if re.fullmatch(r"[^\W\d_]+", w):
                counts[_norm_word(w)] += 1
    found = [(w, c) for w, c in counts.most_common() if c >= min_count]
    return sorted(found, key=lambda wc: wc[0] in STOPWORDS)


def compared_uses(hs_list: list[HiddenStates], word: str) -> tuple[list[Occurrence], str | None]:
    """The uses of ``word`` to compare pairwise: the first :data:`~embedviz.limits.MAX_USES`, and a
    note saying so when there were more (pairs grow with the square of the uses)."""
    occ = occurrences(hs_list, word)
    if len(occ) <= MAX_USES:
        return occ, None
    return occ[:MAX_USES], f"'{word}' is used {len(occ):,} times; comparing the first {MAX_USES} (at most {MAX_USES} uses of a word)."


def occurrences(hs_list: list[HiddenStates], word: str) -> list[Occurrence]:
    """Every use of ``word`` (case-insensitive, as a whole word) in the inputs, labelled by its
    nearest content word: "bank (vault)", "bank (river)"."""
    target = _norm_word(word)
    found = []
    for s, hs in enumerate(hs_list):
        t = hs.tokenization
        for w_idx, w in enumerate(t.words):
            if _norm_word(w) != target:
                continue
            idx = tuple(i for i, wi in enumerate(t.word_ids) if wi == w_idx)
            found.append(Occurrence(s, idx, f"{w} ({_context(t.words, w_idx)})"))
    labels = Counter(o.label for o in found)
    if any(c > 1 for c in labels.values()):  # same neighbour twice: number them so rows stay distinct
        seen: Counter[str] = Counter()
        out = []
        for o in found:
            seen[o.label] += 1
            lab = o.label if labels[o.label] == 1 else f"{o.label} #{seen[o.label]}"
            out.append(Occurrence(o.sentence, o.token_indices, lab))
        found = out
    return found


def _context(words: list[str], i: int) -> str:
    def ok(w: str) -> bool:
        return bool(re.fullmatch(r"[^\W\d_]+", w)) and w.lower() not in STOPWORDS and w.lower() != words[i].lower()

    for j in [i + 1, i - 1, i + 2, i - 2, i + 3, i - 3]:
        if 0 <= j < len(words) and ok(words[j]):
            return words[j].lower()
    return f"word {i + 1}"


def occurrence_vectors(hs_list: list[HiddenStates], occ: list[Occurrence], *, pieces: str = "mean") -> np.ndarray:
    """``[occurrences, layers + 1, hidden]``: each use's vector at each layer, its pieces pooled."""
    # pieces along the first axis: [pieces, layers + 1, hidden]
    return np.stack([pool(hs_list[o.sentence].array[:, list(o.token_indices)].swapaxes(0, 1), pieces) for o in occ])


def same_word_vectors(hs_list: list[HiddenStates], word: str, *, skip: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
    """Every use of ``word`` in ``hs_list`` as ``label -> [layers + 1, hidden]`` (pieces averaged),
    labelled "bank (vault)"; ``skip``: (sentence, token position) of the token itself."""
    out = {}
    for o in occurrences(hs_list, word):
        if skip is not None and o.sentence == skip[0] and skip[1] in o.token_indices:
            continue
        out[o.label] = hs_list[o.sentence].array[:, list(o.token_indices)].mean(axis=1)
    return out


def token_points(hs_list: list[HiddenStates], layer: int, *, words: list[str] | None = None,
                 skip_special: bool = True) -> tuple[np.ndarray, list[dict]]:
    """Every token of every input at ``layer`` (or only tokens of ``words``, case-insensitive):
    (vectors ``[n, hidden]``, one row of labels per point: token, word, sentence, position)."""
    wanted = {w.lower() for w in words} if words else None
    vecs, rows = [], []
    for s, hs in enumerate(hs_list):
        t = hs.tokenization
        for i, tok in enumerate(t.tokens):
            if skip_special and t.special[i]:
                continue
            word = t.word_of(i)
            if wanted is not None and word.lower() not in wanted:
                continue
            vecs.append(hs.array[min(layer, hs.num_layers), i])
            rows.append({"token": tok, "word": word, "sentence": s + 1, "position": i,
                         "context": t.text[:60]})
    dim = hs_list[0].array.shape[2] if hs_list else 0
    return (np.stack(vecs) if vecs else np.zeros((0, dim), dtype=np.float32)), rows
