import pytest

import embedviz as ev

BANK = ("After stealing money from the bank vault, the bank robber was seen fishing on the Mississippi "
        "river bank.")
# The tutorial's table (bert-base-uncased ids; the bundled model shares its vocabulary).
TUTORIAL = [("[CLS]", 101), ("after", 2044), ("stealing", 11065), ("money", 2769), ("from", 2013), ("the", 1996),
            ("bank", 2924), ("vault", 11632), (",", 1010), ("the", 1996), ("bank", 2924), ("robber", 27307),
            ("was", 2001), ("seen", 2464), ("fishing", 5645), ("on", 2006), ("the", 1996), ("mississippi", 5900),
            ("river", 2314), ("bank", 2924), (".", 1012), ("[SEP]", 102)]


def test_tutorial_token_id_table(enc):
    t = enc.tokenize(BANK)
    assert list(zip(t.tokens, t.ids)) == TUTORIAL
    assert t.segment_ids == [0] * 22 and t.attention_mask == [1] * 22
    assert t.special == [True] + [False] * 20 + [True]


def test_embeddings_splits_into_four_pieces(enc):
    t = enc.tokenize("Here is the sentence I want embeddings for.")
    assert t.tokens[7:11] == ["em", "##bed", "##ding", "##s"]
    assert {t.word_of(i) for i in range(7, 11)} == {"embeddings"}
    assert t.spans[7] == (28, 30) and t.spans[10] == (37, 38)


def test_pair_segments(enc):
    t = enc.tokenize("The man went to the store.", "He bought a gallon of milk.")
    sep = t.tokens.index("[SEP]")
    assert t.segment_ids[: sep + 1] == [0] * (sep + 1)
    assert set(t.segment_ids[sep + 1:]) == {1}
    assert t.words[t.word_ids[sep + 1]] == "He"


def test_truncation_is_reported(enc):
    t = enc.tokenize("word " * 600)
    assert len(t) == 512 and t.truncated and t.n_tokens_untruncated == 602


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200e\u200f", "\n\t"])
def test_empty_or_invisible_text_is_refused(enc, text):
    with pytest.raises(ev.InputError):
        enc.tokenize(text)


@pytest.mark.parametrize("text", ["😀 emoji", "日本語の文", "café naïve", "\u202bright to left\u202c", "<script>x</script> **b**"])
def test_odd_unicode_tokenizes(enc, text):
    t = enc.tokenize(text)
    assert t.tokens[0] == "[CLS]" and len(t) >= 3


@pytest.mark.parametrize("word", ["embeddings", "unbelievably", "bank", "tokenization", "xqzzy"])
def test_wordpiece_steps_match_the_tokenizer(enc, word):
    steps = ev.wordpiece_steps(enc.vocab(), word)
    assert [s.piece for s in steps] == enc.tokenizer.tokenize(word)


def test_vocab_table_and_search(enc):
    ids, toks, kinds = enc.vocab_table()
    assert list(toks[5000:5003]) == ["knight", "lap", "survey"]
    assert (kinds == "special").sum() == 5 and (kinds == "unused").sum() == 994
    assert "bank" in toks[ev.search_vocab(toks, "ban", mode="prefix")]
    assert set(toks[ev.search_vocab(toks, "bank", mode="exact")]) == {"bank"}
