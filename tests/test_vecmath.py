"""The shared vector maths, against scikit-learn and plain numpy."""

import numpy as np
from sklearn.metrics.pairwise import cosine_similarity

from embedviz.vecmath import close_spellings, cos, cos_sim, paired_cos, top_k, unit_rows


def test_cosines_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(4, 5))
    assert np.allclose(cos_sim(a, b), cosine_similarity(a, b))
    assert np.allclose(cos_sim(a), cosine_similarity(a))
    assert np.isclose(cos(a[0], b[1]), cosine_similarity(a[:1], b[1:2])[0, 0])
    assert np.allclose(paired_cos(a[:4], b), np.diag(cosine_similarity(a[:4], b)))
    assert np.allclose(paired_cos(a, b[0]), cosine_similarity(a, b[:1])[:, 0])


def test_unit_rows_keep_zero_rows_zero():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    u = unit_rows(x)
    assert u.dtype == np.float32 and np.allclose(u, [[0.6, 0.8], [0.0, 0.0]])
    assert np.allclose(np.linalg.norm(unit_rows(np.ones((2, 3, 4))), axis=-1), 1)


def test_top_k_is_the_k_best_in_order():
    scores = np.random.default_rng(1).normal(size=1000)
    assert top_k(scores, 10).tolist() == np.argsort(-scores)[:10].tolist()
    assert len(top_k(scores, 5000)) == 1000 and len(top_k(scores, 0)) == 0
    scores[np.argmax(scores)] = -np.inf  # left out
    assert np.argmax(scores) == top_k(scores, 1)[0]


def test_close_spellings():
    words = ["the", "bank", "banks", "bang", "blank", "frog", "band"]
    assert close_spellings("bnak", words, 2, cutoff=0.5) == ["bank", "blank"]  # closest first
    words = ["the", "band", "bang", "bank"]  # rank order: the most frequent of the close ones first
    assert close_spellings("banc", words, 2, cutoff=0.7) == ["bank", "bang"]
    assert close_spellings("banc", words, 2, cutoff=0.7, rank_order=True) == ["band", "bang"]
    assert close_spellings("zzzz", words, 3) == []
