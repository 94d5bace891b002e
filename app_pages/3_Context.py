"""Context: the same word gets a different vector in a different sentence (tutorial 3.3-3.5, 4.2-4.3)."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Context", "Where two uses of a word drift apart, layer by layer, and how much the pooling choice matters.")

EXAMPLES = {"The three banks": ex.BANK_SENTENCE, "The bat pair": "\n".join(ex.BAT_SENTENCES),
            "Bank in six sentences": "\n".join(ex.BANK_SENSES)}

text = ui.text_box("Sentences, one per line", name="text", examples=EXAMPLES, height=110,
                   resets=("word", "sent", "layer", "mode", "pieces"))  # what depends on the sentences
sentences, cut = ui.lines(text, limit=50)
if cut:
    st.info(cut)


def compute():
    hs = enc.hidden_states_many(ui.require_lines(sentences, 1))
    rep = ev.repeated_words(hs)
    if not rep:
        raise ev.InputError("No word occurs twice. Use a word twice in one sentence, or in two sentences "
                            "(one per line), to compare its uses.")
    return hs, rep


res = ui.keep_last("context", compute, about=text)
if res is None:
    st.stop()
hs_list, rep = res
ui.say_cut(hs_list)
words = [w for w, _ in rep]
c1, c2, c3 = st.columns(3)
word = c1.selectbox("Repeated word", words, format_func=lambda w: f"{w} ({dict(rep)[w]}x)", key=ui.key("word"),
                    bind="query-params")
pieces = c2.selectbox("Pieces of a split word", list(ev.PIECE_POOLING), format_func=ev.PIECE_POOLING.get,
                      key=ui.key("pieces"), bind="query-params")
mode = c3.radio("Similarity", ["raw", "relative", "centred"], horizontal=True, key=ui.key("mode"), bind="query-params",
                help="raw: plain cosine. relative: rescaled so 0 = what unrelated tokens score at that layer. "
                     "centred: the average token vector subtracted first.")
base = enc.reference_baseline()
ls = ui.keep_last("layer_sim", lambda: ev.layer_similarity(hs_list, word, pieces=pieces, mode=mode,
                                                            baseline=base.mean_cos, mean_vectors=base.mean_vector))
if ls is not None:
    if ls.note:
        st.info(ui.esc(ls.note))
    if any(len(o.token_indices) > 1 for o in ls.occurrences):
        st.caption(ui.esc(f"'{word}' is split into pieces; each use is the {ev.PIECE_POOLING[pieces]}."))
    layers = [f"layer {i}" for i in range(ls.values.shape[1])]
    if len(ls.labels) >= 2:  # the finding: where the uses differ most from one another, and which pairs
        spread = ls.values.max(axis=0) - ls.values.min(axis=0)
        at = int(np.argmax(spread))
        hi, lo = int(np.argmax(ls.values[:, at])), int(np.argmin(ls.values[:, at]))
        st.markdown(ui.esc(f"The uses of “{word}” differ most from one another at layer {at}: {ls.labels[hi]} "
                           f"{ls.values[hi, at]:.2f}, against {ls.labels[lo]} {ls.values[lo, at]:.2f} ({mode} "
                           f"similarity; at layer 0 the two were {ls.values[hi, 0]:.2f} and {ls.values[lo, 0]:.2f})."))
    ui.chart(plots.layer_similarity_figure(ls.values, ls.labels, title=f"How alike the uses of '{word}' are, layer by layer ({mode})",
                                           mode=mode), key="layer_similarity",
             data=pd.DataFrame(ls.values, index=ls.labels, columns=layers),
             note=f"The colours span the values shown ({ls.values.min():.2f} to {ls.values.max():.2f}), so small gaps show.")
    series = {lab: row for lab, row in zip(ls.labels, ls.values)}
    if mode == "raw":
        series["unrelated tokens (baseline)"] = base.mean_cos
    ui.chart(plots.lines_figure(series, title="The same numbers as lines", xtitle="layer", ytitle="cosine",
                                dashed={"unrelated tokens (baseline)"}), key="layer_similarity_lines",
             data=pd.DataFrame(series, index=layers).T)
    st.info(f"""**Reading these numbers.** Contextual vectors do not spread evenly in all directions: they share a
common direction (and a few huge 'rogue' dimensions), so even unrelated tokens score a high raw cosine. The dashed line is
the mean cosine of tokens from {len(ex.REFERENCE_SENTENCES)} unrelated reference sentences ({base.n_tokens} tokens) at each
layer for {ui.esc(enc.name)}: a cosine means something only above it. **relative** rescales each layer so 0 is that baseline
and 1 is identical; **centred** subtracts the average token vector first. What counts as "similar" is this model's, not a
universal scale.""")

st.header("Every token against every other, at one layer")
hs = hs_list[ui.pick_sentence(hs_list, "sent")]
layer = st.slider("Layer", 0, hs.num_layers, hs.num_layers, key=ui.key("layer"), bind="query-params")
toks = [f"{i}:{t}" for i, t in enumerate(hs.tokens)]
sim = ev.cos_sim(hs.array[layer])
ui.chart(plots.heatmap_figure(sim, toks, toks, title=f"Token x token cosine at layer {layer}", zmin=-1, zmax=1,
                              annotate=len(toks) <= 24), key="token_similarity", data=pd.DataFrame(sim, index=toks, columns=toks))

st.header("Does the pooling strategy matter?")
labels, table = ev.strategy_table(hs_list, word, pieces=pieces) if ls is not None else ([], {})
if table:
    df = pd.DataFrame({ev.WORD_STRATEGIES[k]: v for k, v in table.items()}, index=labels).T.round(3)
    st.dataframe(df, width="stretch")
    uv = ev.use_vectors(hs_list, word, pieces=pieces)
    st.markdown(ui.esc(f"What each strategy builds for '{uv.label}'") + (ui.esc(
        f", a word WordPiece splits into {' '.join(uv.pieces)}: one vector per piece, then the {ev.PIECE_POOLING[pieces]} "
        "(the tutorial's way for a word not in the vocabulary)") if len(uv.pieces) > 1 else "") + ":")
    st.dataframe(pd.DataFrame([{"strategy": ev.WORD_STRATEGIES[k], "pieces x values": " x ".join(map(str, uv.piece_vectors[k].shape)),
                                "word vector": f"{v.shape[0]:,} values", "first values": np.array2string(v[:6], precision=2)}
                               for k, v in uv.vectors.items()]), hide_index=True, width="stretch")
    st.caption("Each cell: the cosine of two uses of the word, with word vectors built by that strategy (raw cosine). "
               "The tutorial, on bert-base-uncased with 'sum of the last four layers', finds 0.94 for the same "
               "meaning against 0.69 for a different one; compare the rows here for this model.")
