"""Senses: the "bat" problem side by side. A static table gives a word one vector and one list of
neighbours whatever the sentence; an encoder gives each use its own vector, near the labelled uses of
the same sense (tutorial 2's closing point, measured layer by layer)."""

import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import compare_plots
from embedviz import examples as ex

enc = ui.page("Senses", "One word, several meanings: a static table gives it one vector, an encoder one per use. "
              "Type a word of the reference set in a few sentences and see which labelled uses each lands near.")
vecs = ui.vector_source(enc)
ref = ev.reference_set()

EXAMPLES = {
    "bat: cave, baseball, barn": "\n".join(ex.BAT_USES),
    "bank: money and river": "She went to the bank to pay in a cheque.\nWe sat on the bank and watched the boats.",
    "crane: bird and machine": "A crane stood in the marsh on one leg.\nThe crane lifted the steel beam onto the roof.",
}
text = ui.text_box("Sentences, one per line, using a word of the reference set", name="text", examples=EXAMPLES,
                   height=110, resets=("word", "layer", "k"))
sentences, cut = ui.lines(text, limit=12)
if cut:
    st.info(cut)


def words_used():
    rows = ui.require_lines(sentences, 1)
    found = [w for w in ref.vocabulary if any(ev.count_word(s, w) for s in rows)]
    if not found:
        raise ev.InputError("None of the reference set's words occurs in these sentences. Use one of: "
                            + ", ".join(ref.vocabulary) + ".")
    return rows, found


got = ui.keep_last("words", words_used, about=text)  # bad input keeps the last sentences and their word
if got is None:
    st.stop()
sentences, found = got
acc = ui.keep_last("accuracy", ui.with_progress(
    f"Embedding the {len(ref)} labelled reference sentences (once per model)",
    lambda p: ev.sense_accuracy(enc)))
if acc is None:
    st.stop()
if st.session_state.get(ui.key("word")) not in found:
    # set, not dropped: a value set here is sent to the browser, so the picker shows the word the results are
    # about (a dropped value leaves the browser showing the last sentences' word)
    st.session_state[ui.key("word")] = found[0]
c1, c2, c3 = st.columns([2, 3, 1])
word = c1.selectbox("Word", found, key=ui.key("word"), bind="query-params",
                    format_func=lambda w: f"{w} ({', '.join(ref.senses_of(w))})")
layer = c2.slider("Encoder layer (0 = embeddings)", 0, enc.num_layers, acc.best_layer, key=ui.key("layer"),
                  bind="query-params")
k = int(c3.number_input("Nearest uses", 1, 10, 5, key=ui.key("k"), bind="query-params"))
uses = [s for s in sentences if ev.count_word(s, word)]
if len(uses) < len(sentences):
    st.caption(ui.esc(f"{len(sentences) - len(uses)} of the sentences do not use '{word}' and are left out."))


def neighbours():
    return [ev.sense_neighbours(enc, s, word, layer, k) for s in uses]


near = ui.keep_last("neighbours", neighbours, about=f"{word}, layer {layer}")
if near is None:
    st.stop()

ui.say_cut([enc.hidden_states(s) for s in uses])  # cached by the encoder: the states the neighbours came from
n = len(uses)
st.subheader(ui.esc(f"“{word}” in {n} sentence{'s' * (n != 1)}: one static vector, "
                    f"{n} contextual one{'s' * (n != 1)}"))
cols = st.columns(1 + min(len(uses), 3))
with cols[0].container(border=True):
    st.markdown(f"**{ui.esc(vecs.source.split(' (')[0])}: one vector for “{ui.esc(word)}”**")
    static = ui.keep_last("static", lambda: vecs.most_similar(word, topn=k + 5))
    if static is not None:
        st.dataframe(pd.DataFrame(static, columns=["nearest word", "cosine"]).round(3), hide_index=True,
                     key=ui.key("static_table"))
        st.caption("The same list whatever the sentence: a static table cannot tell the uses apart.")
senses_seen = []
for i, (sentence, nb) in enumerate(zip(uses, near)):
    sense, share = ev.likely_sense(nb)
    senses_seen.append(sense)
    with cols[1 + i % (len(cols) - 1)].container(border=True):
        st.markdown(f"**Use {i + 1}:** {ui.esc(ev.around(sentence, word))}")
        st.markdown(f"Nearest labelled uses at layer {layer}: **{ui.esc(sense)}** ({share:.0%} of {len(nb)})")
        st.markdown("\n".join(f"- **{ui.esc(u.sense)}** {u.cosine:.3f}: {ui.esc(u.sentence)}" for u in nb))
if len(set(senses_seen)) > 1:
    st.success(ui.esc(f"At layer {layer}, the encoder puts these uses of '{word}' with different senses: "
                      + "; ".join(f"use {i + 1} → {s}" for i, s in enumerate(senses_seen)) + "."))
elif senses_seen:
    st.info(ui.esc(f"At layer {layer}, every use of '{word}' lands nearest the '{senses_seen[0]}' uses."
                   + (" Try a later layer." if layer < acc.best_layer else "")))

st.subheader("Which layer tells the senses apart?")
ui.chart(compare_plots.sense_accuracy_figure(acc.accuracy, acc.chance, chosen=layer,
                                             title=f"Leave-one-out nearest-use sense accuracy, {enc.name}"),
         key="sense_accuracy", data=pd.DataFrame({"accuracy": acc.accuracy.round(4), "chance": round(acc.chance, 4)},
                                                 index=pd.Index(range(len(acc.accuracy)), name="layer")))
st.markdown(ui.esc(acc.finding()))
st.caption(f"For each of the {acc.uses} labelled uses ({len(acc.words)} words, two senses each), its nearest other use "
           "of the same word by cosine at that layer: does it have the same sense? Chance is what a use drawn at "
           "random from the same word scores.")
with st.expander("Per word, per layer"):
    st.dataframe(pd.DataFrame(acc.per_word.round(2), index=acc.words,
                              columns=[f"layer {i}" for i in range(acc.per_word.shape[1])]), key=ui.key("per_word"))
with st.expander(f"The reference set: {len(ref)} sentences"):
    st.dataframe(pd.DataFrame({"word": ref.words, "sense": ref.senses, "sentence": ref.sentences}),
                 hide_index=True, key=ui.key("reference"))
