"""Two spaces compared: neighbour overlap checked against a direct computation, identical spaces agree,
unrelated ones score about k / (n - 1)."""

import doctest

import numpy as np
import pytest

import embedviz as ev
from embedviz import compare


def direct_overlap(a, b, k):
    def nn(x):
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        s = u @ u.T
        np.fill_diagonal(s, -np.inf)
        return [set(np.argsort(-row)[:k]) for row in s]
    return np.array([len(p & q) / k for p, q in zip(nn(a), nn(b))])


def test_overlap_matches_a_direct_computation():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(60, 6))
    b = a + rng.normal(scale=0.5, size=a.shape)
    np.testing.assert_allclose(ev.neighbour_overlap(a, b, k=7), direct_overlap(a, b, 7), atol=1e-6)


def test_identical_spaces_overlap_fully_and_scale_does_not_matter():
    a = np.random.default_rng(1).normal(size=(40, 5))
    assert np.all(ev.neighbour_overlap(a, a, k=10) == 1.0)
    assert np.all(ev.neighbour_overlap(a, 3 * a, k=10) == 1.0)  # cosine neighbours


def test_unrelated_spaces_overlap_about_k_over_n():
    rng = np.random.default_rng(2)
    n, k = 400, 10
    o = ev.neighbour_overlap(rng.normal(size=(n, 16)), rng.normal(size=(n, 16)), k=k)
    assert o.shape == (n,)
    assert o.mean() == pytest.approx(ev.chance_overlap(n, k), abs=0.015)


def test_bad_input():
    with pytest.raises(ev.InputError):
        ev.neighbour_overlap(np.ones((5, 2)), np.ones((4, 2)))
    with pytest.raises(ev.InputError):
        ev.neighbour_overlap(np.ones((2, 2)), np.ones((2, 2)))


def test_glove_and_the_encoder_table_agree_far_above_chance(enc):
    glove, table = ev.load_vectors(), ev.load_vectors("encoder", encoder=enc)
    words = ev.shared_words(glove, table, 1000)
    assert len(words) == 1000 and all(w in table for w in words)
    o = ev.neighbour_overlap(glove.unit[glove.require(words)], table.unit[table.require(words)], k=10)
    assert o.mean() > 10 * ev.chance_overlap(len(words), 10)
    assert ev.shared_words(glove, table, words=["cat", "qwzx", "dog"]) == ["cat", "dog"]


def test_docstring_examples_run(enc):
    result = doctest.testmod(compare, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_static_row_vectors_average_the_input_embeddings(enc):
    texts = ["The bank robber fled.", "Embeddings are vectors."]
    got = ev.static_row_vectors(enc, texts)
    table = enc.input_embeddings()
    for text, row in zip(texts, got):
        ids = enc.tokenizer(text, add_special_tokens=False)["input_ids"]
        np.testing.assert_allclose(row, table[ids].mean(axis=0), atol=1e-6)


def test_compare_spaces_projects_each_space_and_counts_shared_neighbours():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(30, 6))
    pair = ev.compare_spaces(a, a * 2, [f"p{i}" for i in range(30)], names=("a", "b"), k=5)
    assert pair.coords_a.shape == pair.coords_b.shape == (30, 2)
    assert np.all(pair.overlap == 1.0) and pair.near_a.shape == (30, 5)
    assert "shares 100% of its 5" in pair.finding()
    assert "3 selected" in pair.about([0, 1, 2])
