"""Layers: the hidden states of every layer, value histograms and per-token summaries (tutorial 3.1-3.2)."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Layers", "What the encoder computes: one vector per token at every layer, from the embeddings up.")

text = ui.text_box("Sentence", name="text", examples={"The three banks": ex.BANK_SENTENCE}, height=80,
                   resets=("token", "layer", "stat"))
hs = ui.keep_last("layers", lambda: enc.hidden_states(text), about=text)
if hs is None:
    st.stop()
ui.say_cut([hs])

n_l, n_t, n_h = hs.array.shape
c = st.columns(4)
c[0].metric("layers + 1", n_l, help="Index 0 is the embedding layer's output; 1..L are the transformer layers.")
c[1].metric("tokens", n_t)
c[2].metric("hidden size", n_h)
c[3].metric("values", f"{hs.array.size:,}")
same = hs.tokenization.text.strip() == ex.BANK_SENTENCE
st.markdown(f"**{ui.esc(hs.describe())}.**" + (" The tutorial's bert-base-uncased gives 13 x 22 x 768 = 219,648 for this "
                                               "same sentence." if same else ""))

labels = [f"{i}: {t}" for i, t in enumerate(hs.tokens)]  # the picker's values name this text's own tokens
left, right = st.columns(2)
picked = left.selectbox("Token", labels, index=min(5, n_t - 1), key=ui.key("token"), bind="query-params")
layer = right.slider("Layer", 0, n_l - 1, min(5, n_l - 1), key=ui.key("layer"), bind="query-params")
token = labels.index(picked) if picked in labels else min(5, n_t - 1)
vec = hs.array[layer, token]
ui.chart(plots.histogram_figure(vec, title=f"Values of '{hs.tokens[token]}' at layer {layer} ({n_h} values, 200 bins)"),
         key="histogram", data=pd.DataFrame({"value": vec}),
         note="Most values sit near zero; a few stand far out.")

if st.toggle("Compare all layers at a glance", value=True, key=ui.key("multiples"), bind="query-params"):
    ui.chart(plots.layer_histograms_figure(hs.array, token, hs.tokens[token]), key="layer_histograms",
             data=pd.DataFrame(hs.array[:, token].T, columns=[f"layer {i}" for i in range(n_l)]))

st.header("Every token at every layer")
stats = ev.layer_stats(hs)
what = st.radio("Summary", ["norm", "mean", "spread (std)"], horizontal=True, key=ui.key("stat"), bind="query-params")
z = {"norm": stats.norm, "mean": stats.mean, "spread (std)": stats.std}[what]
ui.chart(plots.heatmap_figure(z, labels, list(range(n_l)), title=f"The {what} of each token's vector per layer",
                              colorscale="Viridis", annotate=n_t <= 30, ytitle="layer", fmt=".1f"),
         key="layer_stats", data=pd.DataFrame(z, columns=labels))
if stats.outliers:
    top = stats.outliers[:8]
    st.markdown("**Dimensions that stand out.** Their average size at a layer is many times the typical "
                "dimension's. BERT-style models have a few such 'rogue dimensions', and they dominate raw cosine "
                "similarity (one reason all BERT similarities look high).")
    st.dataframe(pd.DataFrame([{"layer": la, "dimension": d, "times the median": round(r, 1),
                                "value for this token": round(float(hs.array[la, token, d]), 3)} for la, d, r in top]),
                 hide_index=True)
else:
    st.caption("No dimension stands far out from the rest in this text.")
st.caption(f"Per-layer mean |value| across tokens, median over dimensions: "
           f"{', '.join(f'{v:.2f}' for v in np.median(np.abs(hs.array).mean(axis=1), axis=1))}.")
