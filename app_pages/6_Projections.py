"""Projections: maps of static words (a few groups, or a whole vocabulary), of tokens in context and
of a token's path, each with search, neighbours on click, box and lasso selection, and exports."""

import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from ui import axes as word_axes
from ui import map_view

enc = ui.page("Projections", "Related words cluster: hundreds of dimensions squeezed into a picture you can read, "
              "and a map you can search, click and select.")

ev.set_visitor(map_view.visitor())  # map builds: one at a time per visitor, in the shared queue
KINDS = ["Static words", "The whole vocabulary", "Tokens in context", "A token's path through the layers"]
METHODS = ev.projection.METHODS
ui.take_example({"vehicles, pets, fruits": {"kind": KINDS[0], "method": "pca", "dims": 2, "groups": ex.DEFAULT_GROUPS,
                                            "words": "", "top_n": 0},
                 "all of GloVe 6B": {"kind": KINDS[1], "method": "best", "dims": 2},
                 "frog on all of GloVe 6B": {"kind": KINDS[1], "method": "best", "dims": 2, "vocab_map_find": "frog"}})
kind = st.radio("Show", KINDS, horizontal=True, key=ui.key("kind"), bind="query-params")
whole = kind == KINDS[1]
c = st.columns([3, 1.2, 1, 2, 1])  # Method's four choices on one line, even on a laptop
# a whole vocabulary starts on the best map ready (UMAP once built, PCA meanwhile); a chosen method is kept
choices = ["best", *METHODS] if whole else list(METHODS)
method = c[0].radio("Method", choices, format_func=lambda m: METHODS.get(m, "Best ready"), key=ui.key("method"),
                    bind="query-params", horizontal=True,
                    help="Best ready: UMAP of the whole vocabulary, built once for every visitor; PCA until it is ready."
                    if whole else None)
dims = c[1].radio("Dimensions", [2, 3], horizontal=True, key=ui.key("dims"), bind="query-params", disabled=whole,
                  help="A whole vocabulary is drawn in 2-D." if whole else None)
seed = c[2].number_input("Seed", 0, 10_000, 0, key=ui.key("seed"), bind="query-params")
perplexity, n_neighbors, min_dist = 30, 15, 0.1
if method == "tsne":
    perplexity = c[3].slider("Perplexity (t-SNE)", 2, 50, 30, key=ui.key("perplexity"), bind="query-params")
elif method == "umap":
    n_neighbors = c[3].slider("Neighbours (UMAP)", 2, 100, 15, key=ui.key("n_neighbors"), bind="query-params")
    min_dist = c[3].slider("Minimum distance (UMAP)", 0.0, 0.99, 0.1, 0.01, key=ui.key("min_dist"), bind="query-params")
show_labels = c[4].toggle("Labels", value=True, key=ui.key("labels"), bind="query-params")
knobs = dict(random_state=int(seed), perplexity=perplexity, n_neighbors=n_neighbors, min_dist=min_dist)
title = f"{kind}: {METHODS.get(method, method)} (seed {seed})"


def reproject(m: ev.Map):
    how = m.method if method == "best" else method
    return lambda idx, progress=None: m.reprojected(idx, how, progress=progress, **knobs)


def whole_vocabulary() -> None:
    """All the words of a table on one map: a density image, the most frequent as points, a few labels."""
    vecs = ui.vector_source(enc)
    w = st.columns(2)
    sizes = [n for n in ev.limits.MAP_SIZES if n < len(vecs)] + [len(vecs)]
    size = w[0].selectbox("Words on the map (the most frequent)", sizes, index=len(sizes) - 1, key=ui.key("map_size"),
                          format_func=lambda n: f"all {n:,}" if n == len(vecs) else f"{n:,}")
    sample = w[1].selectbox("t-SNE and UMAP are fitted on the most frequent", ev.limits.FIT_CHOICES, index=1,
                            key=ui.key("map_sample"), format_func="{:,} words; the rest placed beside their nearest fitted words".format,
                            disabled=method in ("pca", "best"), help="PCA uses every word directly; the best ready map "
                            "is the one the server builds for everyone.")
    build = ui.keep_last("vocab_best", lambda: ev.best_map(vecs, size=int(size))) if method == "best" else None
    if build is not None and build.ready:
        big = build.map
    else:
        shown_method = "pca" if method == "best" else method
        big = ui.keep_last("vocab_map", ui.with_progress(
            "Building the map (once per vectors and settings; every visitor shares it)",
            lambda p: ev.word_map(vecs, shown_method, size=int(size), sample=int(sample), seed=int(seed),
                                  perplexity=perplexity, n_neighbors=n_neighbors, min_dist=min_dist, progress=p)),
            about=f"{METHODS[shown_method]}")
        if build is not None:
            better_note(build)
    if big is not None:
        shown = "every word" if len(big) == len(vecs) else f"the {len(big):,} most frequent words"
        used = f" (seed {int(build.knobs['seed'])})" if build is not None and build.ready else \
            "" if big.method == "pca" else f" (seed {seed})"
        map_view.explore(big, "vocab_map", title=f"{vecs.source}, {shown}: {METHODS[big.method]}{used}",
                         show_labels=show_labels, reproject=reproject(big))


@st.fragment(run_every=2)
def better_note(build: ev.MapBuild) -> None:
    """While the better map builds: how long it has left; once it is ready, the page shows it."""
    name = METHODS[build.method]
    if build.ready:
        st.rerun()  # the whole page, now with the better map
    if build.error:
        st.caption(ui.esc(f"The {name} map could not be made, so this is PCA: {build.error}"))
        return
    secs = build.seconds_left()
    left = f"about {secs:,.0f} s once it starts (waiting in line for the server's build slot)" if build.waiting else \
        f"{secs:,.0f} s left" if secs is not None else \
        f"taking longer than estimated ({build.seconds_run:,.0f} s so far)"
    st.progress(build.fraction, text=f"A better map ({name}) is being made: {left}. Meanwhile this is PCA; the page "
                "switches by itself when it is ready.")


def small_map() -> None:
    """A few thousand points: word groups, tokens in context or a token's path, all drawn as points."""
    labels_on, paths = show_labels, None
    if kind == KINDS[0]:
        vecs = ui.vector_source(enc)
        groups = st.multiselect("Word groups", list(ex.WORD_GROUPS), default=ex.DEFAULT_GROUPS, key=ui.key("groups"),
                                bind="query-params")
        extra = st.text_input("Your own words (a group of their own)", value="", key=ui.key("words"), bind="query-params")
        top_n = st.number_input("Or add the N most frequent words", 0, ev.projection.MAX_POINTS, 0, step=100, key=ui.key("top_n"),
                                bind="query-params", help="For all of them, choose “The whole vocabulary” above.")
        wanted = {g: ex.WORD_GROUPS[g] for g in groups}
        wanted["yours"] = extra.replace(",", " ").split()
        wanted["frequent"] = vecs.most_frequent(int(top_n))
        words, x, color, missing = vecs.grouped(wanted)
        if missing:
            st.warning(ui.esc(f"Not in {vecs.source}, left out: {', '.join(missing[:30])}" + (" …" if len(missing) > 30 else "")))
        labels, what = words, "words"
    else:
        text = ui.text_box("Sentences, one per line", name="text", height=140,
                           examples={"Bank in six sentences": "\n".join(ex.BANK_SENSES), "The bat pair": "\n".join(ex.BAT_SENTENCES)})
        sentences, cut = ui.lines(text, limit=ev.limits.MAX_SENTENCES)
        if cut:
            st.info(cut)
        hs_list = ui.keep_last("proj_hs", lambda: enc.hidden_states_many(ui.require_lines(sentences, 1)))
        if hs_list is None:
            return
        what = "tokens"
        if kind == KINDS[2]:
            l1, l2 = st.columns(2)
            layer = l1.slider("Layer", 0, enc.num_layers, enc.num_layers, key=ui.key("layer"), bind="query-params")
            only = l2.text_input("Only these words (empty: every token)", value="bank", key=ui.key("only"), bind="query-params")
            by = st.radio("Colour by", ["sentence", "word"], horizontal=True, key=ui.key("color_by"), bind="query-params")
            x, rows = ev.token_points(hs_list, layer, words=only.replace(",", " ").split() or None)
            if only.strip() and not rows:
                st.warning(ui.esc(f"None of these words occur in the sentences: {only}. Showing every token instead."))
                x, rows = ev.token_points(hs_list, layer)
            labels = [r["token"] for r in rows]
            color = [str(r[by]) if by == "word" else f"{r['sentence']}. {r['context'][:32]}…" for r in rows]
        else:
            hs = hs_list[ui.pick_sentence(hs_list, "path_sentence")]
            x, rows = ev.layer_points(hs)
            pos = ui.pick_token(hs.tokens, "path_token", label="Token to follow",
                                positions=sorted({r["position"] for r in rows}))
            labels = [f"{r['token']} L{r['layer']}" if r["position"] == pos else r["token"] for r in rows]
            color = [f"layer {r['layer']}" for r in rows]
            paths = {f"path of '{hs.tokens[pos]}'": [i for i, r in enumerate(rows) if r["position"] == pos]}
            labels_on = labels_on and len(rows) <= 150

    axes = word_axes.option(what=what) if kind in (KINDS[0], KINDS[2]) else None  # ui/axes.py
    total = len(x)
    if total > ev.projection.MAX_POINTS:
        st.warning(f"Showing {ev.projection.MAX_POINTS:,} of {total:,} points (the first ones); ask for fewer to see all, "
                   "or choose “The whole vocabulary”.")
        keep = ev.projection.MAX_POINTS
        x, labels, color = x[:keep], labels[:keep], color[:keep]

    def projection():
        if axes is not None:  # axes made of words instead of a projection
            return (word_axes.static_map(vecs, labels, color, axes) if kind == KINDS[0]
                    else word_axes.encoder_map(enc, labels, x, color, axes, layer=layer))
        p = ui.with_progress("Projecting", lambda prog: ev.project(x, method, int(dims), progress=prog, **knobs))()
        return ev.point_map(labels, x, p, method=method, groups=color, notes=p.notes)

    m = ui.keep_last(f"proj_{kind}", projection)  # the picture and its labels: a bad request keeps both
    if m is None:
        return
    map_view.explore(m, f"proj_{KINDS.index(kind)}", title=word_axes.title(axes, title), show_labels=labels_on, what=what,
                     reproject=reproject(m) if m.dims == 2 and paths is None and axes is None else None,
                     paths=paths if paths and len(m) == len(labels) else None)


if whole:
    whole_vocabulary()
else:
    small_map()
