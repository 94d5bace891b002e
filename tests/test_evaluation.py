import numpy as np
import pytest

import embedviz as ev


@pytest.fixture(scope="module")
def questions():
    return ev.benchmark_file("questions-words.txt")


def test_analogy_accuracy_equals_gensim(enc, questions):
    gensim = pytest.importorskip("gensim")
    v = ev.load_vectors("encoder", encoder=enc)
    kv = gensim.models.KeyedVectors(v.dim)
    kv.add_vectors(v.words, np.asarray(v.matrix))
    for restrict in (2000, 8000):
        ours = ev.evaluate_analogies(v, questions, restrict_vocab=restrict)
        score, sections = kv.evaluate_word_analogies(str(questions), restrict_vocab=restrict)
        assert ours.accuracy == pytest.approx(score, abs=1e-12)
        theirs = {s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in sections if s["section"] != "Total accuracy"}
        mine = {s.name: (len(s.correct), len(s.incorrect)) for s in ours.sections}
        assert mine == {k: v for k, v in theirs.items() if sum(v)}


def test_mixed_case_vocabulary_like_gensim(tmp_path, questions):
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(3)
    words = ["Athens", "Greece", "Baghdad", "Iraq", "athens", "greece", "Paris", "France", "Rome", "Italy",
             "Berlin", "Germany", "Madrid", "Spain", "Oslo", "Norway"] + [f"w{i}" for i in range(200)]
    m = rng.normal(size=(len(words), 10)).astype(np.float32)
    v = ev.StaticVectors(words, m, "mixed")
    kv = gensim.models.KeyedVectors(10)
    kv.add_vectors(words, m)
    q = tmp_path / "q.txt"
    q.write_text(": capitals\nAthens Greece Baghdad Iraq\nParis France Rome Italy\nBerlin Germany Madrid Spain\n"
                 "Oslo Norway Athens Greece\nathens greece paris france\n: other\nfoo bar baz qux\n")
    ours = ev.evaluate_analogies(v, q)
    score, _ = kv.evaluate_word_analogies(str(q))
    assert ours.accuracy == pytest.approx(score) and ours.skipped == 1


def test_word_pairs(enc):
    res = ev.evaluate_word_pairs(ev.load_vectors("encoder", encoder=enc), ev.benchmark_file("wordsim353.tsv"))
    assert 0.2 < res.spearman < 1 and len(res.pairs) > 300


def test_bad_question_files(tmp_path, small_vectors):
    v = ev.StaticVectors(*small_vectors, "t")
    p = tmp_path / "q.txt"
    p.write_text("man king woman queen\n")
    with pytest.raises(ev.InputError, match="section"):
        ev.evaluate_analogies(v, p)
    p.write_text(": s\nman king woman\n")
    with pytest.raises(ev.InputError, match="Line 2: expected four words"):
        ev.evaluate_analogies(v, p)
    with pytest.raises(ev.InputError, match="no file"):
        ev.evaluate_analogies(v, tmp_path / "none.txt")
