"""Home: what the app shows, a live figure, which model is active, the guided tour and the notebook API.
Drawn before the model is needed: a cold server's first visitor reads this while it loads."""

import plotly.graph_objects as go
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots
from ui import tour

ui.header("Home", "See how word embeddings work: type sentences, watch the vectors.", heading="embedviz")
left, right = st.columns([3, 2])
left.markdown(
    "embedviz shows, live, what the two classic tutorials teach: how BERT splits text into WordPiece "
    "tokens, what each of its layers computes, why the same word gets a different vector in a different "
    "sentence, how static vectors such as GloVe solve *king - man + woman*, how words cluster in PCA and "
    "t-SNE, and how a tiny model learns embeddings from scratch.")
model_line = left.empty()
save = left.empty()
with right:
    vecs = ev.load_vectors(ev.GLOVE)  # the figure says GloVe 6B, whatever EMBEDVIZ_VECTORS names
    words, x, groups, _ = vecs.grouped({g: ex.WORD_GROUPS[g] for g in ex.DEFAULT_GROUPS})
    # the column is narrow on a laptop: the legend goes above the plot, and each label beside its point
    # where it overlaps no other (placed for the plot area at 1366 px, ~300 x 400: wider screens only spread them)
    fig = go.Figure(plots.scatter_figure(ev.project(x, "pca"), words, color=groups, hover={"group": groups},
                                         title="Live: GloVe 6B words in 2-D (PCA)", label_room=(290, 390)))
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0),
                      margin=dict(t=80))
    ui.chart(fig, key="pca", note="50 dimensions squeezed to 2: vehicles, pets and fruits fall apart from their vectors alone.")
st.header("A guided tour")
st.caption(f"The tutorials' story, and what no single other tool shows, in {len(tour.STEPS)} steps. Each opens a "
           "page on its example, already computed; a strip there says what to notice and leads to the next step.")
tour.steps()
st.header("Use it from a notebook")
st.code('''import embedviz as ev
enc = ev.load_encoder()                       # the bundled model offline, or a Hugging Face id / folder
hs = enc.hidden_states("The bank robber was seen fishing on the river bank.")
hs.tokens, hs.array.shape                     # (layers + 1, tokens, hidden)
ev.layer_similarity([hs], "bank").values      # [pairs, layers + 1]
vecs = ev.load_vectors()                      # GloVe 6B 50d; "encoder" or a file path too
vecs.analogy("man", "king", "woman")          # [('queen', 0.85), ...]''', language="python")
enc = ui.sidebar()  # last: the model loads (with progress in the sidebar) after the page is readable
model_line.markdown("**Active model:** " + ui.esc(
    f"{enc.name}: {enc.num_layers} layers, {enc.hidden_size} dimensions, a {enc.vocab_size:,}-token "
    f"{enc.tokenizer_kind} vocabulary. Change it in the sidebar on any page."))
tour.download(enc, container=save)
