"""What the encoder computes: hidden states, word vectors by pooling strategy, sentence vectors.

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


def plan_batches(lengths: list[int], max_tokens: int = 1024, overhead: int = 40) -> list[list[int]]:
    """Group inputs for batching: sorted by length, then cut where the padded tokens plus a fixed
    ``overhead`` a batch (in token equivalents: the cost of one more call) sum to the least, with
    at most ``max_tokens`` padded tokens a batch. Returns lists of input indices, shortest first;
    within a batch the inputs are sorted by length and the last is the longest."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    n = len(order)
    best = [0] + [None] * n  # best[j]: least cost of the first j inputs in sorted order
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        width = lengths[order[j - 1]]
        i = j - 1
        while i >= 0 and (i == j - 1 or width * (j - i) <= max_tokens):
            cost = best[i] + overhead + width * (j - i)
            if best[j] is None or cost < best[j]:
                best[j], cut[j] = cost, i
            i -= 1
    batches, j = [], n
    while j:
        batches.append(order[cut[j]:j])
        j = cut[j]
    return batches[::-1]


def run_batches(model, toks: list[Tokenization], pad_id: int, *, device: str = "cpu",
                batch_tokens: int = 4096) -> list[np.ndarray]:
    """All hidden states of many tokenized inputs, the same values as one at a time. Returns one
    ``[layers + 1, tokens, hidden]`` float32 array per input, in input order.

    A BERT encoder runs packed: each chunk of up to ``batch_tokens`` tokens goes through the
    linear layers as one matrix, with no padding, and only attention is computed per input, in
    length-sorted batches. Other encoders run in padded batches sorted by length, of at most
    ``batch_tokens`` (and at most 1,024) padded tokens."""
    if _packable(model):
        return _run_packed(model, toks, device=device, chunk_tokens=batch_tokens)
    return _run_padded(model, toks, pad_id, device=device, batch_tokens=min(batch_tokens, 1024))


def _packable(model) -> bool:
    """Whether ``model`` is a BERT encoder whose parts :func:`_run_packed` knows how to call."""
    cfg = model.config
    if cfg.model_type != "bert" or cfg.is_decoder or getattr(cfg, "add_cross_attention", False):
        return False
    if getattr(cfg, "position_embedding_type", "absolute") != "absolute":
        return False
    try:
        return all(hasattr(layer.attention.self, "query") and hasattr(layer, "intermediate")
                   for layer in model.encoder.layer) and hasattr(model.embeddings, "word_embeddings")
    except AttributeError:
        return False


def _uses_segments(model) -> bool:
    return (getattr(model.config, "type_vocab_size", 0) or 0) > 1


def _frozen(layers: np.ndarray, start: int, end: int) -> np.ndarray:
    arr = np.ascontiguousarray(layers[:, start:end])
    arr.setflags(write=False)
    return arr


def _run_padded(model, toks, pad_id, *, device, batch_tokens) -> list[np.ndarray]:
    import torch

    out: list[np.ndarray | None] = [None] * len(toks)
    for idx in plan_batches([len(t) for t in toks], batch_tokens):
        width = len(toks[idx[-1]])
        ids = np.full((len(idx), width), pad_id, dtype=np.int64)
        seg = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            n = len(toks[i])
            ids[row, :n], seg[row, :n], mask[row, :n] = toks[i].ids, toks[i].segment_ids, 1
        kwargs = {"input_ids": torch.from_numpy(ids).to(device), "attention_mask": torch.from_numpy(mask).to(device)}
        if _uses_segments(model):
            kwargs["token_type_ids"] = torch.from_numpy(seg).to(device)
        with torch.inference_mode():
            res = model(**kwargs, output_hidden_states=True)
        stacked = torch.stack(res.hidden_states, dim=1).float().cpu().numpy()  # [batch, layers+1, T, H]
        for row, i in enumerate(idx):
            out[i] = _frozen(stacked[row], 0, len(toks[i]))
    return out  # type: ignore[return-value]


def _run_packed(model, toks, *, device, chunk_tokens, attention_tokens=1024) -> list[np.ndarray]:
    import torch
    import torch.nn.functional as F

    out: list[np.ndarray | None] = [None] * len(toks)
    heads = model.config.num_attention_heads
    order = sorted(range(len(toks)), key=lambda i: len(toks[i]))
    chunks: list[list[int]] = [[]]
    filled = 0
    for i in order:
        if chunks[-1] and filled + len(toks[i]) > chunk_tokens:
            chunks.append([])
            filled = 0
        chunks[-1].append(i)
        filled += len(toks[i])
    for chunk in chunks:
        lens = [len(toks[i]) for i in chunk]
        offs = np.concatenate([[0], np.cumsum(lens)]).tolist()

        def packed(field):
            return torch.from_numpy(np.concatenate(field).astype(np.int64))[None].to(device)

        ids = packed([toks[i].ids for i in chunk])
        seg = packed([toks[i].segment_ids for i in chunk]) if _uses_segments(model) else torch.zeros_like(ids)
        pos = packed([np.arange(n) for n in lens])
        # Attention batches: inputs of a chunk are sorted by length, so each batch is one run of
        # rows; a batch of unequal lengths is gathered into [inputs, longest] with a key mask.
        groups = []
        for g in plan_batches(lens, attention_tokens, overhead=16):
            r0, r1, width = offs[g[0]], offs[g[-1] + 1], lens[g[-1]]
            valid = np.arange(width)[None, :] < np.array([lens[j] for j in g])[:, None]
            if valid.all():
                groups.append((r0, r1, len(g), width, None, None, None))
                continue
            gather = np.full(valid.shape, r0, dtype=np.int64)  # padding repeats a real row; masked out
            gather[valid] = np.arange(r0, r1)
            groups.append((r0, r1, len(g), width, torch.from_numpy(gather.ravel()).to(device),
                           torch.from_numpy(valid.ravel()).to(device), torch.from_numpy(valid)[:, None, None, :].to(device)))
        with torch.inference_mode():
            x = model.embeddings(input_ids=ids, token_type_ids=seg, position_ids=pos)[0]  # [tokens, hidden]
            states = [x]
            for layer in model.encoder.layer:
                sa = layer.attention.self
                qkv = (sa.query(x), sa.key(x), sa.value(x))
                context = torch.empty_like(x)
                for r0, r1, rows, width, gather, valid, mask in groups:
                    q, k, v = ((t[r0:r1] if gather is None else t[gather]).view(rows, width, heads, -1).transpose(1, 2)
                               for t in qkv)
                    o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=sa.attention_head_size ** -0.5)
                    o = o.transpose(1, 2).reshape(rows * width, -1)
                    context[r0:r1] = o if valid is None else o[valid]
                attended = layer.attention.output(context, x)
                x = layer.output(layer.intermediate(attended), attended)
                states.append(x)
            layers = torch.stack(states).float().cpu().numpy()  # [layers + 1, tokens, hidden]
        for j, i in enumerate(chunk):
            out[i] = _frozen(layers, offs[j], offs[j + 1])
    return out  # type: ignore[return-value]


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
    """One vector for the whole input, ``[hidden]``.

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


def layer_points(hs: HiddenStates, *, skip_special: bool = True) -> tuple[np.ndarray, list[dict]]:
    """Every token at every layer, ``[(layers + 1) * tokens, hidden]``, with rows (token, layer,
    position), so that one projection holds all layers and a token's path can be drawn through them."""
    t = hs.tokenization
    keep = [i for i in range(len(t.tokens)) if not (skip_special and t.special[i])]
    vecs = hs.array[:, keep].reshape(-1, hs.array.shape[2])
    rows = [{"token": t.tokens[i], "layer": layer, "position": i} for layer in range(hs.array.shape[0]) for i in keep]
    return vecs, rows
