"""The tour's notices: sentences computed from the numbers they show, that read well."""

import embedviz as ev
from embedviz import tour


def test_the_analogy_and_vocabulary_notices_read_well(enc):
    vecs = ev.load_vectors()
    analogy = ev.tour_step(6, enc, vecs).notice
    rank = vecs.input_ranks("man", "king", "woman")["king"]
    assert f"it would have come {tour._ordinal(rank)}." in analogy and "ranked 1" not in analogy
    vocab = ev.tour_step(9, enc, vecs).notice
    assert vocab.startswith(f"Among all {len(vecs):,} words of GloVe 6B 50d, the nearest to 'frog'")
    assert vocab.count(f"{len(vecs):,}") == 1  # the count once, not again in the source's name


def test_ordinals():
    assert [tour._ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 112)] == [
        "first", "second", "third", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "112th"]
