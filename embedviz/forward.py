"""The forward pass: many tokenized inputs through the encoder in as few, as full calls as possible,
giving the same hidden states as one input at a time. What the states mean is :mod:`embedviz.hidden`'s.

>>> from embedviz.forward import plan_batches
>>> plan_batches([5, 3, 40, 4], max_tokens=64, overhead=10)   # short inputs together, the long one alone
[[1, 3, 0], [2]]
"""

from __future__ import annotations

import numpy as np

from .jobs import IMPORTS
from .tokens import Tokenization


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
                batch_tokens: int = 4096, packed: bool | None = None) -> list[np.ndarray]:
    """All hidden states of many tokenized inputs, the same values as one at a time. Returns one
    ``[layers + 1, tokens, hidden]`` float32 array per input, in input order.

    A BERT encoder runs packed: each chunk of up to ``batch_tokens`` tokens goes through the
    linear layers as one matrix, with no padding, and only attention is computed per input, in
    length-sorted batches. Other encoders run in padded batches sorted by length, of at most
    ``batch_tokens`` (and at most 1,024) padded tokens. ``packed``: None to choose by the model
    (:func:`packable`), False to run padded batches whatever the model (the baseline to compare)."""
    if packed if packed is not None else packable(model):
        return _run_packed(model, toks, device=device, chunk_tokens=batch_tokens)
    return _run_padded(model, toks, pad_id, device=device, batch_tokens=min(batch_tokens, 1024))


def packable(model) -> bool:
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
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
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
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
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
