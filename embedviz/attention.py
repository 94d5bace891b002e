"""Why a vector moves: attention weights per layer and head, how much each attended token really
adds (the norm-weighted view), and how far each token moved between layers.

>>> import embedviz as ev
>>> enc = ev.load_encoder()
>>> att = enc.attention("He sat on the river bank.")
>>> att.weights.shape == (enc.num_layers, enc.config.num_attention_heads, len(att.tokens), len(att.tokens))
True
>>> d = ev.token_drift(att, att.tokens.index("bank"))
>>> len(d.moved) == enc.num_layers
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import limits
from .cache import memoize
from .errors import InputError
from .exports import safe_cell
from .hidden import HiddenStates
from .jobs import IMPORTS
from .vecmath import paired_cos


@dataclass(frozen=True)
class Attention:
    """Attention inside one input. ``weights``: ``[layers, heads, tokens, tokens]`` (row i: what
    token i attends to, summing to 1); ``norms``: the same shape, ``weight x |value vector after the
    output projection|`` (Kobayashi et al. 2020: how much each attended token actually adds), or
    None where the model's parts are not those of a BERT; ``hidden``: ``[layers + 1, tokens, hidden]``."""

    tokens: list[str]
    special: np.ndarray
    weights: np.ndarray
    norms: np.ndarray | None
    hidden: np.ndarray
    how: str
    notes: list[str] = field(default_factory=list)

    @property
    def num_layers(self) -> int:
        return self.weights.shape[0]

    @property
    def num_heads(self) -> int:
        return self.weights.shape[1]

    def view(self, normed: bool = False) -> np.ndarray:
        """``weights``, or ``norms`` rescaled so each row sums to 1 (comparable with the weights)."""
        if not normed:
            return self.weights
        if self.norms is None:
            raise InputError("The norm-weighted view needs a BERT-style model (value and output projections).")
        return self.norms / np.maximum(self.norms.sum(-1, keepdims=True), 1e-12)

    def per_layer(self, position: int, normed: bool = False) -> np.ndarray:
        """What token ``position`` attends to at each layer, averaged over heads: ``[layers, tokens]``."""
        return self.view(normed)[:, :, position, :].mean(axis=1)

    def head_csv(self, layer: int, head: int, normed: bool = False) -> str:
        """The ``[tokens, tokens]`` matrix of one head as CSV (rows attend to columns), 1-based layer."""
        m = self.view(normed)[layer - 1, head]
        names = [f"{i}:{t}" for i, t in enumerate(self.tokens)]

        def cell(s: str) -> str:
            return '"' + safe_cell(s).replace('"', '""') + '"'

        rows = ["attends to ->," + ",".join(cell(n) for n in names)]
        rows += [cell(n) + "," + ",".join(f"{v:.6f}" for v in m[i]) for i, n in enumerate(names)]
        return "\n".join(rows) + "\n"


def _bert_parts(model) -> bool:
    try:
        return all(hasattr(layer.attention.self, "query") and hasattr(layer.attention.output, "dense")
                   for layer in model.encoder.layer)
    except AttributeError:
        return False


@memoize(maxsize=32, max_bytes=limits.ATTENTION_MEMO_BYTES)
def attention_weights(enc, text: str) -> Attention:
    """Attention weights of every layer and head for ``text``, from the encoder ``enc`` (ask it as
    ``enc.attention(text)``).

    A BERT-style encoder's weights are computed from its own query, key and value projections applied
    to its hidden states (the same numbers its attention computes, whatever kernel it runs: SDPA returns
    no weights), with the norm-weighted view beside them. Any other encoder is run once more with eager
    attention, which returns its weights."""
    hs = enc.hidden_states(text)
    special = np.asarray(hs.tokenization.special, dtype=bool)
    if _bert_parts(enc.model):
        weights, norms = _from_parts(enc, hs)
        how = "computed from the model's own query, key and value weights at each layer"
    else:
        weights, norms = eager_weights(enc, text), None
        how = "returned by the model run with eager attention"
    for a in (weights, norms):
        if a is not None:
            a.setflags(write=False)
    notes = [] if norms is not None else ["The norm-weighted view needs BERT-style value and output projections; "
                                          "this model shows raw weights only."]
    return Attention(hs.tokens, special, weights, norms, hs.array, how, notes)


def _from_parts(enc, hs: HiddenStates) -> tuple[np.ndarray, np.ndarray]:
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch

    model = enc.model
    heads = model.config.num_attention_heads
    t_all = hs.array.shape[1]
    shape = (len(model.encoder.layer), heads, t_all, t_all)  # filled in place: no second copy of 2 x 75 MB at 512 tokens
    weights, norms = np.empty(shape, np.float32), np.empty(shape, np.float32)
    with enc.lock, torch.inference_mode():
        for li, layer in enumerate(model.encoder.layer):
            x = torch.from_numpy(np.array(hs.array[li], dtype=np.float32)).to(enc.device)
            sa = layer.attention.self
            t, d = x.shape[0], sa.attention_head_size
            q, k, v = (f(x).view(t, heads, d).transpose(0, 1) for f in (sa.query, sa.key, sa.value))
            w = torch.softmax(q @ k.transpose(1, 2) / d ** 0.5, dim=-1)  # [heads, t, t]
            wo = layer.attention.output.dense.weight.view(-1, heads, d)  # [hidden, heads, d]
            f_norm = torch.linalg.vector_norm(torch.einsum("htd,ohd->hto", v, wo), dim=-1)  # [heads, t]
            weights[li] = w.float().cpu().numpy()
            norms[li] = (w * f_norm[:, None, :]).float().cpu().numpy()
    return weights, norms


@memoize(maxsize=2)
def _eager_model(source: str):
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from transformers import AutoModel

    model = AutoModel.from_pretrained(source, trust_remote_code=False, use_safetensors=True, attn_implementation="eager")
    return model.eval()


def eager_weights(enc, text: str) -> np.ndarray:
    """Attention weights ``[layers, heads, tokens, tokens]`` of ``text`` as the model returns them when
    run with eager attention: the path for a model that is not a BERT, and the check on the other."""
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch

    tok = enc.tokenize(text)
    try:
        model = _eager_model(enc.source)
    except Exception as e:  # noqa: BLE001 - any failure is said in words
        raise InputError(f"{enc.name} cannot return its attention weights here ({type(e).__name__}: {str(e)[:120]}).") from e
    kwargs = {"input_ids": torch.tensor([tok.ids]), "attention_mask": torch.ones(1, len(tok.ids), dtype=torch.long)}
    if (getattr(model.config, "type_vocab_size", 0) or 0) > 1:
        kwargs["token_type_ids"] = torch.tensor([tok.segment_ids])
    with torch.inference_mode():
        out = model(**kwargs, output_attentions=True)
    if not out.attentions:
        raise InputError(f"{enc.name} returns no attention weights, even with eager attention.")
    return np.stack([a[0].float().numpy() for a in out.attentions])


@dataclass(frozen=True)
class Drift:
    """How token ``position`` moved through the layers. Per transformer layer l = 1..L: ``moved`` =
    1 - cos(h_l, h_{l-1}), ``change`` = |h_l - h_{l-1}|, ``top``: the tokens it attended to most
    (averaged over heads) as (position, token, weight). ``alike``: label -> ``[layers + 1]`` cosine to
    the same word elsewhere."""

    token: str
    position: int
    moved: np.ndarray
    change: np.ndarray
    top: list[list[tuple[int, str, float]]]
    alike: dict[str, np.ndarray]
    normed: bool


def token_drift(att: Attention, position: int, *, others: dict[str, np.ndarray] | None = None, k: int = 3,
                normed: bool = False, skip_special: bool = False) -> Drift:
    """:class:`Drift` of token ``position``; ``others``: label -> ``[layers + 1, hidden]`` vectors of the
    same word elsewhere (see :func:`embedviz.uses.same_word_vectors`). ``skip_special`` leaves [CLS]/[SEP] out of
    ``top``."""
    if not 0 <= position < len(att.tokens):
        raise InputError(f"Token position {position} is outside the {len(att.tokens)} tokens.")
    h = np.asarray(att.hidden[:, position], dtype=np.float64)
    a, b = h[1:], h[:-1]
    cos = paired_cos(a, b)
    per = att.per_layer(position, normed)
    top = []
    for row in per:
        order = [j for j in np.argsort(-row) if not (skip_special and att.special[j])][:k]
        top.append([(int(j), att.tokens[j], float(row[j])) for j in order])
    alike = {}
    for label, vecs in (others or {}).items():
        alike[label] = paired_cos(np.asarray(vecs, dtype=np.float64), h)
    return Drift(att.tokens[position], position, 1 - cos, np.linalg.norm(a - b, axis=1), top, alike, normed)


def listened_most(att: Attention, position: int, layers: range, *, normed: bool = False) -> tuple[int, int, str, float] | None:
    """The strongest single attention of token ``position`` to an ordinary token ([CLS] and [SEP], where
    most heads park, aside) over ``layers`` (1-based), averaged over heads: (layer, position, token,
    weight), or None."""
    per = att.per_layer(position, normed)
    best = None
    for layer in layers:
        if not 1 <= layer <= att.num_layers:
            continue
        row = np.where(np.asarray(att.special), -1.0, per[layer - 1])
        j = int(np.argmax(row))
        if row[j] >= 0 and (best is None or row[j] > best[3]):
            best = (layer, j, att.tokens[j], float(row[j]))
    return best
