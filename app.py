"""embedviz: the entry point. Declares the pages (so the landing page is called "Home" in the
navigation) and draws the landing page: what the app shows, which model is active, a guided tour."""

import time
from pathlib import Path

import streamlit as st

import ui

PAGES = [("app_pages/1_Tokens.py", "Tokens", ":material/text_fields:"),
         ("app_pages/2_Layers.py", "Layers", ":material/stacks:"),
         ("app_pages/3_Context.py", "Context", ":material/compare_arrows:"),
         ("app_pages/4_Sentences.py", "Sentences", ":material/notes:"),
         ("app_pages/5_Static_vectors.py", "Static vectors", ":material/function:"),
         ("app_pages/6_Projections.py", "Projections", ":material/scatter_plot:"),
         ("app_pages/7_Train.py", "Train your own", ":material/model_training:")]

TOUR = [  # (page, label, the example the step opens on, what to notice)
    ("app_pages/1_Tokens.py", "1. Tokens", {"example": "The tutorial's first sentence"},
     "'embeddings' is not in the vocabulary, so it becomes em ##bed ##ding ##s. Note [CLS] and [SEP]."),
    ("app_pages/2_Layers.py", "2. The layers", {"example": "The three banks"},
     "One sentence becomes layers + 1 x tokens x hidden numbers. Most values sit near zero; a few dimensions stand far out."),
    ("app_pages/3_Context.py", "3. The three banks", {"example": "The three banks"},
     "'bank' in 'bank vault' and 'bank robber' stays closer than either to 'river bank', and the gap opens in the middle layers."),
    ("app_pages/4_Sentences.py", "4. Sentence vectors", {"example": "Questions"},
     "Questions that mean the same thing score highest, even with no words in common."),
    ("app_pages/5_Static_vectors.py", "5. king - man + woman", {"tab": "Analogies", "example": "king - man + woman"},
     "The answer is queen. The input words are left out; see where 'king' itself would have ranked."),
    ("app_pages/6_Projections.py", "6. Clusters in PCA", {"example": "vehicles, pets, fruits"},
     "Vehicles, pets and fruits fall into separate clouds, from static vectors alone."),
    ("app_pages/7_Train.py", "7. Train from scratch", {"example": "The tutorial's nine words"},
     "Nine words in three dimensions: press Play and watch each group pull together."),
]


def home():
    enc = ui.page("embedviz", "See how word embeddings work: type sentences, watch the vectors.")

    st.markdown(
        "embedviz shows, live, what the two classic tutorials teach: how BERT splits text into WordPiece "
        "tokens, what each of its layers computes, why the same word gets a different vector in a different "
        "sentence, how static vectors such as GloVe solve *king - man + woman*, how words cluster in PCA and "
        "t-SNE, and how a tiny model learns embeddings from scratch.")
    st.markdown("**Active model:** " + ui.esc(f"{enc.name}: {enc.num_layers} layers, {enc.hidden_size} dimensions, a "
                                              f"{enc.vocab_size:,}-token {enc.tokenizer_kind} vocabulary. Change it in "
                                              "the sidebar on any page."))

    st.header("A guided tour")
    st.caption("The tutorials' story in order. Each step opens a page with its example already computed.")
    for path, label, params, notice in TOUR:
        c1, c2 = st.columns([1, 3])
        c1.page_link(path, label=label, query_params=params)
        c2.caption(f"What to notice: {notice}")

    st.header("Use it from a notebook")
    st.code(NOTEBOOK, language="python")


NOTEBOOK = """import embedviz as ev
enc = ev.load_encoder()                       # the bundled model offline, or a Hugging Face id / folder
hs = enc.hidden_states("The bank robber was seen fishing on the river bank.")
hs.tokens, hs.array.shape                     # (layers + 1, tokens, hidden)
ev.layer_similarity([hs], "bank").values      # [pairs, layers + 1]
vecs = ev.load_vectors()                      # the encoder's input embeddings, or a GloVe file path
vecs.analogy("man", "king", "woman")          # [('queen', 0.50), ...]"""

nav = st.navigation([st.Page(home, title="Home", icon=":material/home:", default=True)]
                   + [st.Page(path, title=title, icon=icon, url_path=Path(path).stem.split("_", 1)[1])
                      for path, title, icon in PAGES])
started = time.perf_counter()
try:
    nav.run()
finally:
    ui.report_ignored_url()
    ui.log_rerun(nav.title, time.perf_counter() - started)
