"""Every input whose cost grows faster than its size has a limit, enforced in the backend and named
in the message a person sees."""

import pytest

import embedviz as ev
from embedviz import limits


def test_a_word_used_400_times_compares_its_first_30_uses(enc):
    hs = enc.hidden_states("bank " * 400)
    ls = ev.layer_similarity([hs], "bank")
    assert len(ls.occurrences) == limits.MAX_USES and len(ls.labels) == 30 * 29 // 2
    assert "used 400 times; comparing the first 30" in ls.note
    labels, table = ev.strategy_table([hs], "bank")
    assert len(labels) == 435


def test_how_a_word_splits_matches_the_tokenizer_and_is_bounded(enc):
    for text in ["COVID-19", "two words", "embeddings", "Héllo, naïve café!", "a" * 150 + " bank"]:
        _, words = enc.split_steps(text)
        assert [s.piece for w in words for s in w.steps] == enc.tokenizer.tokenize(text), text
    norm, words = enc.split_steps("COVID-19")
    assert norm == "covid-19" and [w.word for w in words] == ["covid", "-", "19"]
    assert ev.wordpiece_steps(enc.vocab(), "a" * 10_000)[0].piece == "[UNK]"  # BERT's own rule, at once
    with pytest.raises(ev.InputError, match="at most 1,000"):
        enc.split_steps("a" * 6000)


@pytest.mark.parametrize("kwargs, words", [({"epochs": 5000}, "between 1 and 1,000"),
                                           ({"lr": 1e-5}, "between 0.0001 and 10"),
                                           ({"lr": 50.0}, "diverges")])
def test_training_settings_have_ranges_with_reasons(kwargs, words):
    with pytest.raises(ev.InputError, match=words):
        ev.train_embeddings([["car", "bike"], ["cat", "dog"]], **kwargs)


def test_too_many_trained_words():
    groups = [[f"w{g}_{i}" for i in range(300)] for g in range(2)]
    with pytest.raises(ev.InputError, match="600 words is more than the 60"):
        ev.train_embeddings(groups)


def test_skipgram_text_and_work_are_bounded():
    from embedviz import examples as ex

    with pytest.raises(ev.InputError, match="35,000 characters"):
        ev.train_skipgram("word " * 7000)
    text = (ex.SKIPGRAM_TEXT + " ") * 30
    with pytest.raises(ev.InputError, match="more work than one click may take here; .* at most [0-9,]+ epochs"):
        ev.train_skipgram(text, dim=300, epochs=1000)


class Stop(Exception):
    pass


@pytest.mark.parametrize("run", [
    lambda step: ev.train_embeddings([["car", "bike"], ["cat", "dog"]], epochs=1000, random_state=7, progress=step),
    lambda step: ev.train_skipgram("the cat sat on the mat and the dog sat on the log " * 5, epochs=1000, random_state=7,
                                   progress=step),
    lambda step: ev.evaluate_analogies(ev.load_vectors(), restrict_vocab=123_456, progress=step),
])
def test_long_work_stops_at_its_next_progress_report(run):
    """Streamlit stops a run by raising from the next progress update (a new click, a closed tab)."""
    calls = []

    def step(fraction, message):
        calls.append(fraction)
        if len(calls) == 2:
            raise Stop

    with pytest.raises(Stop):
        run(step)
    assert calls[0] == 0 and 0 < calls[1] < 0.2


def test_one_request_runs_a_bounded_number_of_tokens(enc):
    """100 sentences of 512 tokens took 28 CPU-s and +869 MB on the Sentences page."""
    import embedviz as ev

    long = "The bank robber was seen fishing on the river bank near the old stone bridge. " * 35
    with pytest.raises(ev.InputError, match="one request here runs at most 8,000"):
        enc.hidden_states_many([f"{long} {i}" for i in range(20)])
    assert len(enc.hidden_states_many(["A short one.", "Another."])) == 2
