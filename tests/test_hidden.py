import numpy as np
import pytest

import embedviz as ev

BANK = ("After stealing money from the bank vault, the bank robber was seen fishing on the Mississippi "
        "river bank.")


@pytest.fixture(scope="module")
def hs(enc):
    return enc.hidden_states(BANK)


def test_word_strategies_against_numpy(hs):
    h = np.array(hs.array)
    assert np.allclose(ev.word_vectors(hs, "last"), h[-1])
    assert np.allclose(ev.word_vectors(hs, "second_to_last"), h[-2])
    assert np.allclose(ev.word_vectors(hs, "first"), h[0])
    assert np.allclose(ev.word_vectors(hs, "sum_last_4"), h[-1] + h[-2] + h[-3] + h[-4], atol=1e-5)
    assert np.allclose(ev.word_vectors(hs, "concat_last_4"), np.hstack([h[-1], h[-2], h[-3], h[-4]]))
    assert ev.word_vectors(hs, "concat_last_4").shape == (22, 4 * h.shape[2])
    assert np.allclose(ev.word_vectors(hs, "sum_all"), h.sum(0), atol=1e-5)
    with pytest.raises(ev.InputError):
        ev.word_vectors(hs, "nope")


def test_sentence_strategies(enc, hs):
    h = np.array(hs.array)
    assert np.allclose(enc.sentence_vector(BANK), h[-2].mean(0))
    assert np.allclose(enc.sentence_vector(BANK, "cls"), h[-1][0])
    v = enc.sentence_vector(BANK, "model")
    both = enc.sentence_vectors([BANK, "Another sentence."], "model")
    assert both.shape == (2, h.shape[2]) and both.dtype == np.float32 and np.allclose(both[0], v)
    assert enc.pooling.get("pooling_mode_mean_tokens") and enc.pooling["normalize"]
    assert np.allclose(v, h[-1].mean(0) / np.linalg.norm(h[-1].mean(0)), atol=1e-6)


def test_model_pooling_matches_sentence_transformers(enc):
    st = pytest.importorskip("sentence_transformers")
    model = st.SentenceTransformer(str(ev.models.bundled_model_path()), device="cpu")
    ref = model.encode([BANK])[0]
    ours = enc.sentence_vector(BANK, "model")
    assert np.allclose(ours, ref, atol=1e-4)


def test_piece_pooling(enc):
    hs = enc.hidden_states("Here is the sentence I want embeddings for.")
    v = ev.word_vectors(hs, "last")
    words, m = ev.pool_pieces(v, hs.tokenization, "mean")
    assert words == ["Here", "is", "the", "sentence", "I", "want", "embeddings", "for", "."]
    assert np.allclose(m[6], v[7:11].mean(0))
    assert np.allclose(ev.pool_pieces(v, hs.tokenization, "first")[1][6], v[7])
    assert np.allclose(ev.pool_pieces(v, hs.tokenization, "last")[1][6], v[10])


def test_layer_stats(hs):
    s = ev.layer_stats(hs)
    assert s.norm.shape == hs.array.shape[:2]
    assert np.allclose(s.norm[3, 4], np.linalg.norm(hs.array[3, 4]), rtol=1e-5)
    assert s.outliers and all(r > 6 for _, _, r in s.outliers)


def test_token_and_layer_points(enc):
    hss = enc.hidden_states_many(["The bank approved the loan.", "The river bank was muddy."])
    x, rows = ev.token_points(hss, 3, words=["bank"])
    assert len(rows) == 2 and {r["sentence"] for r in rows} == {1, 2}
    assert np.allclose(x[0], hss[0].array[3, 2])
    x, rows = ev.layer_points(hss[0])
    assert x.shape[0] == (enc.num_layers + 1) * (len(hss[0].tokens) - 2)
