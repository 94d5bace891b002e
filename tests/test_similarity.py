import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

import embedviz as ev
from embedviz import examples as ex


def test_cos_sim_matches_sklearn():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 7)), rng.normal(size=(3, 7))
    assert np.allclose(ev.cos_sim(a, b), cosine_similarity(a, b))


def test_bank_labels_and_shape(enc):
    ls = ev.layer_similarity([enc.hidden_states(ex.BANK_SENTENCE)], "bank")
    assert ls.labels == ["bank (vault) ~ bank (robber)", "bank (vault) ~ bank (river)", "bank (robber) ~ bank (river)"]
    assert ls.values.shape == (3, enc.num_layers + 1)
    assert np.allclose(ls.values[:, 0].min(), ls.values[:, 0].max(), atol=0.1)  # layer 0: nearly the same vector


def test_senses_of_bank_separate(enc):
    ls = ev.layer_similarity([enc.hidden_states(ex.BANK_SENTENCE)], "bank")
    same, cross = ls.values[0], ls.values[1:]
    mid = slice(2, enc.num_layers)
    assert (same[mid] > cross[:, mid].max(axis=0)).all()


def test_bat_across_sentences(enc):
    hs = enc.hidden_states_many(ex.BAT_SENTENCES)
    ls = ev.layer_similarity(hs, "bat")
    assert ls.labels == ["bat (flew) ~ bat (baseball)"]
    assert ls.values[0, -1] < 0.999


def test_repeated_words_and_errors(enc):
    hs = [enc.hidden_states(ex.BANK_SENTENCE)]
    assert ev.repeated_words(hs)[0] == ("bank", 3)
    with pytest.raises(ev.InputError, match="only once"):
        ev.layer_similarity(hs, "vault")
    with pytest.raises(ev.InputError, match="does not occur"):
        ev.layer_similarity(hs, "zebra")


def test_split_word_is_pooled(enc):
    hs = enc.hidden_states_many(["Embeddings are useful.", "I like embeddings."])
    ls = ev.layer_similarity(hs, "embeddings", pieces="mean")
    assert all(len(o.token_indices) == 4 for o in ls.occurrences)


def test_baseline_and_modes(enc):
    base = enc.reference_baseline()
    assert base.mean_cos.shape == (enc.num_layers + 1,) and (np.abs(base.mean_cos) < 0.9).all()
    hs = [enc.hidden_states(ex.BANK_SENTENCE)]
    raw = ev.layer_similarity(hs, "bank").values
    rel = ev.layer_similarity(hs, "bank", mode="relative", baseline=base.mean_cos).values
    assert np.allclose(rel, (raw - base.mean_cos) / (1 - base.mean_cos))
    cen = ev.layer_similarity(hs, "bank", mode="centred", mean_vectors=base.mean_vector).values
    assert cen.shape == raw.shape and not np.allclose(cen, raw)


def test_strategy_table(enc):
    labels, table = ev.strategy_table([enc.hidden_states(ex.BANK_SENTENCE)], "bank")
    assert set(table) == set(ev.WORD_STRATEGIES) and all(len(v) == 3 for v in table.values())
    h = enc.hidden_states(ex.BANK_SENTENCE).array
    v = h[-4:].sum(0)
    expect = float(cosine_similarity(v[[6]], v[[10]])[0, 0])
    assert np.isclose(table["sum_last_4"][0], expect, atol=1e-5)
