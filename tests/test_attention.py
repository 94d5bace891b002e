"""Attention and drift on the bundled model and on a tiny randomly initialised BERT: the weights equal
what the model's own eager attention returns, the norm-weighted view is what Kobayashi et al. define,
the drift matches the numbers measured here, and two sentences' cosine splits exactly into token pairs."""

import sys

import numpy as np
import pytest

import embedviz as ev
from embedviz import examples as ex

attention_module = sys.modules["embedviz.attention"]


@pytest.fixture(scope="module")
def river(enc):
    return enc.attention(ex.BANK_SENTENCE)


def test_weights_are_the_models_own(enc, river):
    eager = attention_module.eager_weights(enc, ex.BANK_SENTENCE)  # the model rerun with eager attention
    assert river.weights.shape == eager.shape == (6, 12, 22, 22)
    assert np.abs(river.weights - eager).max() < 1e-5
    assert np.allclose(river.weights.sum(-1), 1, atol=1e-5)


def test_norm_weighted_view_is_weight_times_the_value_size(enc, river):
    import torch

    layer, head = 2, 5
    part = enc.model.encoder.layer[layer]
    x = torch.tensor(np.array(river.hidden[layer]))
    d = part.attention.self.attention_head_size
    with torch.no_grad():
        v = part.attention.self.value(x)[:, head * d:(head + 1) * d]  # [tokens, d]
        f = v @ part.attention.output.dense.weight[:, head * d:(head + 1) * d].T  # [tokens, hidden]
    want = river.weights[layer, head] * np.linalg.norm(f.numpy(), axis=1)[None, :]
    assert np.allclose(river.norms[layer, head], want, atol=1e-5)
    assert np.allclose(river.view(normed=True).sum(-1), 1, atol=1e-5)


def test_the_river_bank_moves_where_it_listens_to_river(river):
    pos = max(i for i, t in enumerate(river.tokens) if t == "bank")
    d = ev.token_drift(river, pos)
    assert d.moved.round(2)[0] == pytest.approx(0.20, abs=0.01) and d.moved.round(2)[5] == pytest.approx(0.32, abs=0.01)
    assert d.top[0][0][1] == "river" and d.top[0][0][2] == pytest.approx(0.21, abs=0.01)
    assert all(row[0][1] == "[CLS]" for row in d.top[1:5])  # from layer 2 on, attention parks on [CLS]
    without = ev.token_drift(river, pos, skip_special=True)
    assert all(t not in ("[CLS]", "[SEP]") for row in without.top for _, t, _ in row)
    h = np.asarray(river.hidden[:, pos], dtype=np.float64)
    assert d.change[2] == pytest.approx(np.linalg.norm(h[3] - h[2]), rel=1e-5)
    with pytest.raises(ev.InputError):
        ev.token_drift(river, 99)


def test_the_river_bank_turns_away_from_the_vault_bank(enc, river):
    hs = enc.hidden_states(ex.BANK_SENTENCE)
    pos = max(i for i, t in enumerate(river.tokens) if t == "bank")
    others = ev.same_word_vectors([hs], "bank", skip=(0, pos))
    assert list(others) == ["bank (vault)", "bank (robber)"]
    d = ev.token_drift(river, pos, others=others)
    vault = d.alike["bank (vault)"]
    assert vault[-1] < vault[0]  # less alike at the top than at the embeddings


def test_csv_of_one_head(river):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(river.head_csv(1, 0))))
    assert rows[0][1:4] == ["0:[CLS]", "1:after", "2:stealing"] and len(rows) == 23
    assert np.allclose(np.array([r[1:] for r in rows[1:]], float), river.weights[0, 0], atol=1e-6)


def test_a_tiny_random_bert_in_a_folder(tmp_path, enc):
    """A model saved by someone else: the weights computed from its parts equal its eager attention."""
    import shutil

    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=enc.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=64, max_position_embeddings=64)
    BertModel(cfg).save_pretrained(tmp_path, safe_serialization=True)
    src = ev.models.bundled_model_path()
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (src / name).exists():
            shutil.copy(src / name, tmp_path / name)
    tiny = ev.load_encoder(str(tmp_path))
    att = tiny.attention("The river bank.")
    assert att.weights.shape == (2, 4, len(att.tokens), len(att.tokens))
    eager = attention_module.eager_weights(tiny, "The river bank.")
    assert np.abs(att.weights - eager).max() < 1e-5
    d = ev.token_drift(att, 3)
    assert d.moved.shape == (2,) and np.isfinite(d.moved).all()


def test_aligned_layers_follow_on():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(30, 8))
    rot = np.linalg.qr(rng.normal(size=(8, 8)))[0]
    stack = np.stack([base, base @ rot, base @ rot @ rot])  # the same shape, turned: nothing moved
    out = ev.aligned_layers(stack)
    assert out.shape == (3, 30, 2)
    assert np.abs(out[1] - out[0]).max() < 1e-6 and np.abs(out[2] - out[0]).max() < 1e-6
    with pytest.raises(ev.InputError):
        ev.aligned_layers(stack[:, :2])


def test_two_sentences_cosine_splits_into_token_pairs(enc):
    a, b = enc.hidden_states_many(ex.SENTENCES[:2])
    for strategy in ("second_to_last_mean", "last_mean", "model"):
        p = ev.pair_contributions(a, b, strategy, pooling=enc.pooling)
        va, vb = enc.sentence_vectors(ex.SENTENCES[:2], strategy)
        assert p.total == pytest.approx(p.cosine, abs=1e-6)
        assert p.cosine == pytest.approx(float(ev.cos_sim(va, vb)[0, 0]), abs=1e-5)
        assert p.values.shape == (len(a.tokens), len(b.tokens))
        top = p.top(3)
        assert top[0][2] == pytest.approx(p.values.max())
    with pytest.raises(ev.InputError, match="mean"):
        ev.pair_contributions(a, b, "cls")


def _long_texts(n: int) -> list[str]:
    """``n`` distinct texts of real prose, each longer than the model reads (512 tokens)."""
    import csv
    import io

    from embedviz import examples as ex

    rows = [r["text"] for r in csv.DictReader(io.StringIO(ex.docstring_corpus(2000).decode()))]
    prose = " ".join(rows)
    return [prose[i * 4000:(i + 1) * 4000] for i in range(n)]


def test_attention_at_512_tokens_sends_a_few_mb_and_memos_are_bounded_in_bytes(enc):
    """Issue 26, item 5: the grid of every head at 512 tokens was a 106 MB figure the browser could not
    read ("RangeError: Invalid string length"); now each square shows blocks of tokens. Each long text
    kept ~430 MB in a memo bounded by count; now the memo is bounded in bytes."""
    from embedviz import plots

    ev.attention.attention_weights.cache_clear()
    texts = _long_texts(5)
    for text in texts:
        att = enc.attention(text)
        assert len(att.tokens) == enc.max_length
        assert ev.attention.attention_weights.cache_bytes() <= ev.limits.ATTENTION_MEMO_BYTES
    fig = plots.attention_grid_figure(att.weights, hide=(0, len(att.tokens) - 1), title="grid")
    sent = len(fig.to_json())
    assert sent < 4e6, sent
    z = np.asarray(fig.data[0].z)
    block = -(-len(att.tokens) // ev.limits.MAX_GRID_TILE)
    assert block > 1 and f"largest weight of {block} x {block}" in fig.layout.title.text
    # each cell is the largest weight of its block: the first block of layer 1, head 0
    w = np.array(att.weights[0, 0], dtype=np.float32)
    w[:, [0, len(att.tokens) - 1]] = np.nan
    assert np.isclose(z[1, 1], np.nanmax(w[block:2 * block, block:2 * block]))
    # a short input is drawn cell for cell, as before
    short = enc.attention("He sat on the river bank.")
    fz = np.asarray(plots.attention_grid_figure(short.weights, title="grid").data[0].z)
    t = len(short.tokens)
    assert np.allclose(fz[:t, :t], short.weights[0, 0])
