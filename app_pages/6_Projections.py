"""Projections: PCA and t-SNE pictures of static words, of tokens in context, and of a token's path."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Projections", "Related words cluster: hundreds of dimensions squeezed into a picture you can read.")

KINDS = ["Static words", "Tokens in context", "A token's path through the layers"]
ui.take_example({"vehicles, pets, fruits": {"kind": KINDS[0], "method": "pca", "dims": 2, "groups": ex.DEFAULT_GROUPS,
                                            "words": "", "top_n": 0}})
kind = st.radio("Show", KINDS, horizontal=True, key="kind", bind="query-params")
c = st.columns(5)
method = c[0].radio("Method", ["pca", "tsne"], format_func={"pca": "PCA", "tsne": "t-SNE"}.get, key="method",
                    bind="query-params")
dims = c[1].radio("Dimensions", [2, 3], horizontal=True, key="dims", bind="query-params")
seed = c[2].number_input("Seed", 0, 10_000, 0, key="seed", bind="query-params")
perplexity = c[3].slider("Perplexity (t-SNE)", 2, 50, 30, key="perplexity", bind="query-params")
show_labels = c[4].toggle("Labels", value=True, key="labels", bind="query-params")
paths = None

if kind == KINDS[0]:
    vecs = ui.vector_source(enc)
    groups = st.multiselect("Word groups", list(ex.WORD_GROUPS), default=ex.DEFAULT_GROUPS, key="groups",
                            bind="query-params")
    extra = st.text_input("Your own words (a group of their own)", value="", key="words", bind="query-params")
    top_n = st.number_input("Or add the N most frequent words", 0, ev.projection.MAX_POINTS, 0, step=100, key="top_n",
                            bind="query-params")
    wanted = {g: ex.WORD_GROUPS[g] for g in groups}
    wanted["yours"] = extra.replace(",", " ").split()
    wanted["frequent"] = vecs.most_frequent(int(top_n))
    words, x, color, missing = vecs.grouped(wanted)
    if missing:
        st.warning(ui.esc(f"Not in {vecs.source}, left out: {', '.join(missing[:30])}" + (" …" if len(missing) > 30 else "")))
    labels, hover = words, {"group": color}
else:
    text = ui.text_box("Sentences, one per line", key="proj_text", height=140,
                       examples={"Bank in six sentences": "\n".join(ex.BANK_SENSES), "The bat pair": "\n".join(ex.BAT_SENTENCES)})
    sentences, cut = ui.lines(text, limit=ev.limits.MAX_SENTENCES)
    if cut:
        st.info(cut)
    hs_list = ui.keep_last("proj_hs", lambda: enc.hidden_states_many(ui.require_lines(sentences, 1)))
    if hs_list is None:
        st.stop()
    if kind == KINDS[1]:
        l1, l2 = st.columns(2)
        layer = l1.slider("Layer", 0, enc.num_layers, enc.num_layers, key="layer", bind="query-params")
        only = l2.text_input("Only these words (empty: every token)", value="bank", key="only", bind="query-params")
        by = st.radio("Colour by", ["sentence", "word"], horizontal=True, key="color_by", bind="query-params")
        x, rows = ev.token_points(hs_list, layer, words=only.replace(",", " ").split() or None)
        if only.strip() and not rows:
            st.warning(ui.esc(f"None of these words occur in the sentences: {only}. Showing every token instead."))
            x, rows = ev.token_points(hs_list, layer)
        labels = [r["token"] for r in rows]
        color = [str(r[by]) if by == "word" else f"{r['sentence']}. {r['context'][:32]}…" for r in rows]
        hover = {"word": [r["word"] for r in rows], "sentence": [r["context"] for r in rows]}
    else:
        names = [f"{i + 1}. {h.tokenization.text[:80]}" for i, h in enumerate(hs_list)]  # values name their text
        picked = st.selectbox("Sentence", names, key="path_sentence", bind="query-params")
        hs = hs_list[names.index(picked) if picked in names else 0]
        x, rows = ev.layer_points(hs)
        toks = [f"{p}: {hs.tokens[p]}" for p in sorted({r["position"] for r in rows})]
        default_tok = next((t for t in toks if t.endswith(": bank")), toks[0])
        picked_tok = st.selectbox("Token to follow", toks, index=toks.index(default_tok), key="path_token",
                                  bind="query-params")
        pos = int((picked_tok if picked_tok in toks else default_tok).split(":")[0])
        labels = [f"{r['token']} L{r['layer']}" if r["position"] == pos else r["token"] for r in rows]
        color = [f"layer {r['layer']}" for r in rows]
        hover = {"layer": [r["layer"] for r in rows], "position": [r["position"] for r in rows]}
        paths = {f"path of '{hs.tokens[pos]}'": [i for i, r in enumerate(rows) if r["position"] == pos]}
        show_labels = show_labels and len(rows) <= 150

total = len(x)
if total > ev.projection.MAX_POINTS:
    st.warning(f"Showing {ev.projection.MAX_POINTS:,} of {total:,} points (the first ones); ask for fewer to see all.")
    keep = ev.projection.MAX_POINTS
    x, labels, color = x[:keep], labels[:keep], color[:keep]
    hover = {k: v[:keep] for k, v in hover.items()}
bar = st.progress(0.0, text="Projecting") if method == "tsne" else None


def projection():
    p = ev.project(x, method, int(dims), random_state=int(seed), perplexity=perplexity,
                   progress=(lambda f, m: bar.progress(f, text=m)) if bar else None)
    return p, x, labels, color, hover


res = ui.keep_last(f"proj_{kind}", projection)  # the picture and its labels: a bad request keeps both
if bar:
    bar.empty()
if res is None:
    st.stop()
proj, x, labels, color, hover = res
for n in proj.notes:
    st.info(ui.esc(n))
facts = [f"{len(proj):,} points"]
if proj.explained_variance is not None:
    facts.append("variance kept: " + " + ".join(f"{v:.1%}" for v in proj.explained_variance))
if proj.trustworthiness is not None:
    facts.append(f"trustworthiness {proj.trustworthiness:.3f} (1 = every point's 10 nearest neighbours in the "
                 "picture are near in the full space too)")
coords = np.asarray(proj)
cols = ["x", "y", "z"][: coords.shape[1]]
table = pd.DataFrame(coords, columns=cols).assign(label=labels, colour=color, **hover)
ui.chart(plots.scatter_figure(coords, labels, color=color, hover=hover, show_labels=show_labels, paths=paths,
                              title=f"{kind}: {'PCA' if method == 'pca' else 't-SNE'} (seed {seed})"),
         key="projection", data=table, note="; ".join(facts))


def projector_files() -> tuple[str, str]:
    return ev.projector_tsv(x, [{"label": lab, "colour": col} for lab, col in zip(labels, color)])


d1, d2 = st.columns(2)  # built only when clicked: thousands of vectors as text take a while
d1.download_button("Vectors for the TensorFlow Projector (TSV)", lambda: projector_files()[0], "vectors.tsv", key="tsv_vec",
                  on_click="ignore")
d2.download_button("Labels for the TensorFlow Projector (TSV)", lambda: projector_files()[1], "metadata.tsv", key="tsv_meta",
                  on_click="ignore")
