"""Axes made of words: coordinates are cosines with a direction from one pole to the other, checked
against numpy; the random baseline; static tables and encoder vectors alike."""

import doctest

import numpy as np
import pytest

import embedviz as ev
from embedviz import axes


def unit(x):
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_projection_on_a_direction_is_the_numpy_cosine(small_vectors):
    words, m = small_vectors
    vecs = ev.StaticVectors(words, m, "tiny")
    got = vecs.on_axes(["king", "queen", "apple"], x=("man", "woman"), y=(["car", "bus"], "cat, dog"))
    i = {w: k for k, w in enumerate(words)}
    dx = unit(unit(m[i["woman"]]) - unit(m[i["man"]]))
    dy = unit((unit(m[i["cat"]]) + unit(m[i["dog"]])) / 2 - (unit(m[i["car"]]) + unit(m[i["bus"]])) / 2)
    want = np.array([[unit(m[i[w]]) @ dx, unit(m[i[w]]) @ dy] for w in ["king", "queen", "apple"]])
    assert got.shape == (3, 2)
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_on_directions_formula():
    rng = np.random.default_rng(1)
    p, d = rng.normal(size=(7, 5)), unit(rng.normal(size=(3, 5)))
    np.testing.assert_allclose(axes.on_directions(p, d), unit(p) @ d.T, atol=1e-6)


def test_bad_axes_say_why(small_vectors):
    words, m = small_vectors
    vecs = ev.StaticVectors(words, m, "tiny")
    with pytest.raises(ev.InputError, match="same"):
        vecs.on_axes(["king"], x=("man", "man"))
    with pytest.raises(ev.InputError, match="empty"):
        vecs.on_axes(["king"], x=("man", " , "))
    with pytest.raises(ev.InputError, match="zebra"):
        vecs.on_axes(["king"], x=("man", "zebra"))


def test_queen_lies_right_of_king_on_man_to_woman():
    vecs = ev.load_vectors()
    xy = vecs.on_axes(["king", "queen", "actor", "actress"], x=("man", "woman"), y=("bad", "good"))
    assert xy[1, 0] > xy[0, 0] and xy[3, 0] > xy[2, 0]


def test_random_baseline_separates_a_real_axis_from_a_random_one():
    vecs = ev.load_vectors()
    words = ["king", "queen", "man", "woman", "actor", "actress", "uncle", "aunt", "boy", "girl"]
    pts = vecs.unit[vecs.require(words)]
    s = ev.axis_spread(pts, vecs.on_axes(words, x=("man", "woman"), y=("bad", "good")), pool=vecs.unit[:5000],
                       n_random=100)
    assert len(s) == 2 and len(s[0].random) == 100
    assert s[0].share_random_wider < 0.05 < s[1].share_random_wider  # gender sorts these words; sentiment does not
    assert s[0].spread == pytest.approx(float(np.std(vecs.on_axes(words)[:, 0])), rel=1e-5)
    assert "random" in s[0].describe("man → woman")


def test_presets_are_known_words():
    vecs = ev.load_vectors()
    for name, spec in ev.AXIS_PRESETS.items():
        a, b = axes.poles(spec)
        vecs.require(a + b)
        assert "→" in ev.axis_name(spec), name


def test_encoder_axes_embed_the_poles_at_the_same_layer(enc):
    hs = enc.hidden_states_many(["The king spoke to the crowd.", "The queen spoke to the crowd."])
    layer = 3
    pts, rows = ev.token_points(hs, layer, words=["king", "queen"])
    xy = enc.on_axes(pts, x=("man", "woman"), y=("bad", "good"), layer=layer)
    poles = [enc.hidden_states(w).array[layer, 1:-1].mean(axis=0) for w in ("man", "woman")]
    d = unit(unit(poles[1]) - unit(poles[0]))
    np.testing.assert_allclose(xy[:, 0], unit(pts) @ d, atol=1e-5)
    assert [r["word"] for r in rows] == ["king", "queen"] and xy[1, 0] > xy[0, 0]


def test_encoder_axes_for_rows_embed_the_poles_as_phrases(enc):
    texts = ["a sad and terrible day", "a wonderful, happy day"]
    rows = enc.sentence_vectors(texts, "model")
    xy = enc.on_axes(rows, x=("man", "woman"), y=("bad news", "good news"), strategy="model")
    assert xy[1, 1] > xy[0, 1]
    with pytest.raises(ev.InputError):
        enc.on_axes(rows, layer=2, strategy="model")


def test_docstring_examples_run(enc):
    result = doctest.testmod(axes, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
