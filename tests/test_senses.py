"""The labelled reference set's shape, sense accuracy per layer on the bundled model, and the nearest
labelled uses of a typed sentence."""

import doctest

import numpy as np
import pytest

import embedviz as ev
from embedviz import senses


def test_reference_set_shape():
    ref = ev.reference_set()
    assert len(ref.vocabulary) >= 20
    for word in ref.vocabulary:
        counts = ref.senses_of(word)
        assert len(counts) >= 2, word
        assert min(counts.values()) >= 10, (word, counts)
    for word, sentence in zip(ref.words, ref.sentences):
        assert senses.count_word(sentence, word) == 1, sentence
    assert len(set(ref.sentences)) == len(ref.sentences)


def test_nearest_sense_hits_against_a_direct_computation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 4))
    sense = ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 3
    group = ["w1"] * 6 + ["w2"] * 6
    hit, chance = senses.nearest_sense_hits(x, sense, group)
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    for i in range(12):
        same_group = [j for j in range(12) if group[j] == group[i] and j != i]
        j = max(same_group, key=lambda j: u[i] @ u[j])
        assert hit[i] == (sense[j] == sense[i])
    np.testing.assert_allclose(chance, 2 / 5)


def test_sense_accuracy_rises_well_above_chance(enc):
    acc = ev.sense_accuracy(enc)
    assert acc.accuracy.shape == (enc.num_layers + 1,)
    assert 0.4 < acc.chance < 0.55  # two balanced senses of ten or more uses each: a bit under one half
    assert acc.accuracy[0] < acc.chance + 0.15  # the embedding layer barely knows the sense
    assert acc.accuracy.max() > acc.chance + 0.3
    assert acc.per_word.shape == (len(acc.words), enc.num_layers + 1)
    assert f"{acc.accuracy[acc.best_layer]:.2f}" in acc.finding()
    assert ev.sense_accuracy(enc) is acc  # once per model


def test_a_bat_in_a_cave_is_near_the_animal_uses(enc):
    near = ev.sense_neighbours(enc, "A bat flew out of the dark cave.", "bat", layer=4, k=5)
    assert len(near) == 5 and near[0].sense == "animal"
    assert [u.cosine for u in near] == sorted((u.cosine for u in near), reverse=True)
    assert ev.likely_sense(near)[0] == "animal"
    swing = ev.sense_neighbours(enc, "He swung the heavy wooden bat at the ball.", "bat", layer=4, k=5)
    assert ev.likely_sense(swing)[0] == "sports"


def test_sense_neighbours_bad_input(enc):
    with pytest.raises(ev.InputError, match="reference set"):
        ev.sense_neighbours(enc, "A zebra ran.", "zebra", layer=3)
    with pytest.raises(ev.InputError, match="does not occur"):
        ev.sense_neighbours(enc, "No animal here.", "bat", layer=3)
    with pytest.raises(ev.InputError, match="Layer"):
        ev.sense_neighbours(enc, "A bat flew.", "bat", layer=99)


def test_docstring_examples_run(enc):
    result = doctest.testmod(senses, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
