"""Tokens: how a text becomes WordPiece tokens, ids and segment ids (tutorial sections 2.1-2.3)."""

import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex

enc = ui.page("Tokens", "How BERT reads text: [CLS] and [SEP], WordPiece pieces, token ids and segment ids.")

EXAMPLES = {"The tutorial's first sentence": ex.EMBEDDINGS_SENTENCE, "The three banks": ex.BANK_SENTENCE}
# a tour step shows exactly its example: the split word and the second sentence too, whatever was typed
ui.take_example({"The tutorial's first sentence": {"word": "embeddings", "two": False}})

text = ui.text_box("Sentence", name="text", examples=EXAMPLES, height=80)
two = st.toggle("Add a second sentence (segment 1)", key=ui.key("two"), bind="query-params")
pair = st.text_input("Second sentence", value=ex.PAIR[1], key=ui.key("pair"), bind="query-params") if two else None

tok = ui.keep_last("tokens", lambda: enc.tokenize(text, pair), about=text)
if tok is not None:
    if tok.truncated:
        st.warning(ui.esc(f"The text makes {tok.n_tokens_untruncated:,} tokens; {enc.name} reads at most "
                          f"{tok.max_length}, so it was cut to the first {len(tok)}."))
    ui.chips(tok.tokens, special=tok.special, segments=tok.segment_ids, ids=tok.ids)
    n_pieces = sum(t.startswith("##") for t in tok.tokens)
    st.caption(f"{len(tok)} tokens for {len(tok.words)} words; {n_pieces} are ## pieces that continue a word. "
               "Dark: special tokens. Dashed orange: pieces. Green: the second sentence. Small numbers: ids.")
    rows = pd.DataFrame(tok.rows())
    st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button("Tokens (CSV)", rows.to_csv(index=False).encode(), "tokens.csv", "text/csv", key=ui.key("tok_csv"),
                       on_click="ignore")
    st.info("Segment ids tell BERT which sentence a token belongs to: 0 for the first sentence and its [SEP], "
            "1 for the second. The tutorial marks a lone sentence with 1s; the tokenizer (and this page) uses 0s. "
            "For one sentence it makes no difference to what the tutorial shows.")

st.header("How a word splits")
word = st.text_input("Any word or words", value="embeddings", key=ui.key("word"), bind="query-params")
split = ui.keep_last("split", lambda: (word.strip(), *enc.split_steps(word)))
if split is not None:
    shown, norm, words = split
    if enc.tokenizer_kind != "WordPiece":
        st.caption(ui.esc(f"{enc.name} uses {enc.tokenizer_kind}, not WordPiece; these steps show what WordPiece "
                          "would do with this vocabulary."))
    st.markdown(ui.esc(f"1. Normalised: '{norm}'. 2. Cut at spaces and punctuation into {len(words)} word(s): ")
                + " ".join(f"`{w.word}`" if "`" not in w.word else ui.esc(w.word) for w in words)
                + ". 3. Each word split by WordPiece:")
    st.dataframe(pd.DataFrame([{"word": w.word, "step": i + 1, "at character": s.start,
                                "longest piece in the vocabulary": s.piece, "left to split": s.rest,
                                "candidates tried": s.tried} for w in words for i, s in enumerate(w.steps)]),
                 hide_index=True, width="stretch")
    st.caption(ui.esc(f"For '{shown}'. ") + "WordPiece looks for the longest piece of the word that is in the "
               "vocabulary, takes it, and goes on with the rest (marked ##). A whole word in the vocabulary stays "
               f"whole; a word with no piece at all, or longer than {ev.limits.MAX_WORD_CHARS} characters, becomes "
               "[UNK]. These are the same pieces as the token table above gives for this text.")

st.header("The vocabulary")
ids, toks, kinds = enc.vocab_table()
counts = pd.Series(kinds).value_counts()
c = st.columns(4)
for col, (k, label) in zip(c, [("word", "whole words"), ("piece", "## pieces"), ("special", "special"),
                               ("unused", "unused")]):
    col.metric(label, f"{int(counts.get(k, 0)):,}")
left, right = st.columns(2)
with left:
    start = st.number_input("From id", 0, len(ids) - 1, 5000, key=ui.key("vocab_from"), bind="query-params")
    count = st.slider("How many", 5, 200, 20, key=ui.key("vocab_n"), bind="query-params")
    sl = slice(int(start), int(start) + count)
    st.dataframe(pd.DataFrame({"id": ids[sl], "token": toks[sl], "kind": kinds[sl]}), hide_index=True, width="stretch")
with right:
    q = st.text_input("Search the vocabulary", value="bank", key=ui.key("vocab_q"), bind="query-params")
    mode = st.radio("Match", ["prefix", "substring", "exact"], horizontal=True, key=ui.key("vocab_mode"), bind="query-params")
    hits = ev.search_vocab(toks, q, mode=mode)
    st.caption(f"{len(hits):,} matches" + (" (first 200 shown)" if len(hits) > 200 else ""))
    st.dataframe(pd.DataFrame({"id": ids[hits[:200]], "token": toks[hits[:200]], "kind": kinds[hits[:200]]}),
                 hide_index=True, width="stretch")
