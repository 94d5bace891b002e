"""Attention & drift: why a token's vector moves, layer by layer, beside what it attended to."""

import numpy as np
import pandas as pd
import streamlit as st

import embedviz as ev
import ui
from embedviz import examples as ex
from embedviz import plots

enc = ui.page("Attention & drift", "Why a vector moves: at each layer, how far a token's vector moved and which tokens "
              "it listened to, side by side.")

DEFAULT = "\n".join([ex.BANK_SENTENCE, *ex.BANK_SENSES[:2], *ex.BAT_SENTENCES])
text = ui.text_box("Sentences, one per line", name="text", height=140,
                   examples={"River bank and more": DEFAULT, "The three banks": ex.BANK_SENTENCE, "Bank in six sentences": "\n".join(ex.BANK_SENSES),
                             "The bat pair": "\n".join(ex.BAT_SENTENCES)},
                   resets=("sentence", "token", "layer", "head", "grid_seen", "view", "hide_special"))
sentences, cut = ui.lines(text, limit=20)
if cut:
    st.info(cut)
hs_list = ui.keep_last("attention_hs", lambda: enc.hidden_states_many(ui.require_lines(sentences, 1)), about=text)
if hs_list is None:
    st.stop()
ui.say_cut(hs_list)

c1, c2 = st.columns(2)
s_idx = ui.pick_sentence(hs_list, "sentence", label="Sentence to look inside", container=c1, width=70)
hs = hs_list[s_idx]
pos = ui.pick_token(hs.tokens, "token", container=c2)

att = ui.keep_last("attention", lambda: enc.attention(hs.tokenization.text))
if att is None:
    st.stop()
o1, o2 = st.columns(2)
hide_special = o1.toggle("Hide [CLS] and [SEP]", value=False, key=ui.key("hide_special"), bind="query-params")
views = ["raw", "normed"] if att.norms is not None else ["raw"]
view = o2.radio("Attention shown as", views, horizontal=True, key=ui.key("view"), bind="query-params",
                format_func={"raw": "raw weights", "normed": "norm-weighted (what each token adds)"}.get)
normed = view == "normed"
st.caption("Most heads park much of their attention on [CLS] and [SEP], a no-op when a head has nothing to add: hide "
           "them to see the rest. Raw weights can mislead, since a token with a small value vector adds little however "
           "much weight it gets; the norm-weighted view (Kobayashi et al. 2020) scales each weight by the size of what "
           f"that token actually adds. Weights are {att.how}. " + " ".join(att.notes))
hide = tuple(int(i) for i in np.flatnonzero(att.special)) if hide_special else ()

# ---------------------------------------------------------------- the bridge
token = hs.tokens[pos]
word = hs.tokenization.word_of(pos)
others = ev.same_word_vectors(hs_list, word, skip=(s_idx, pos))
others = dict(list(others.items())[:8])
drift = ev.token_drift(att, pos, others=others, normed=normed, skip_special=hide_special)
st.subheader(f"How far “{ui.esc(token)}” moved, and what it listened to")
moved_most = int(np.argmax(drift.moved)) + 1
headline = f"“{token}” moves most at layer {moved_most} (1 − cosine to the layer below: {drift.moved[moved_most - 1]:.2f})"
if len(others) >= 2:  # where this use parts from the others, relative to how alike they are to each other
    p = ev.parting(att.hidden[:, pos], others)
    heard = ev.listened_most(att, pos, range(1, max(p.layer, 1) + 1), normed=normed)
    headline = (f"This “{token}” parts most from the other uses of “{word}” at layer {p.layer}: cosine "
                f"{p.to_others[p.layer]:.2f} to them, against {p.among[p.layer]:.2f} between them"
                + (f". On its way there it listens most, [CLS] and [SEP] aside, to “{heard[2]}” ({heard[3]:.2f} at layer "
                   f"{heard[0]}, averaged over heads)" if heard else "")
                + f". Its vector moves most at layer {moved_most} (1 − cosine to the layer below: "
                f"{drift.moved[moved_most - 1]:.2f}).")
else:
    first = drift.top[0][0] if drift.top and drift.top[0] else None
    headline += (f"; at layer 1 it listens most to “{first[1]}” ({first[2]:.2f}, averaged over heads)." if first else ".")
st.markdown(ui.esc(headline))
numbers = pd.DataFrame({"layer": range(1, att.num_layers + 1), "1 - cosine": drift.moved, "|change|": drift.change,
                        "attended most": [", ".join(f"{t} {w:.2f}" for _, t, w in row) for row in drift.top]})
for label, ys in drift.alike.items():
    numbers[f"cosine to {label}"] = ys[1:]
if len(others) >= 2:
    numbers["cosine to the others (mean)"], numbers["between the others (mean)"] = p.to_others[1:], p.among[1:]
ui.chart(plots.drift_figure(drift.moved, drift.change, tuple(tuple(r) for r in drift.top), drift.alike, token=token,
                            title=f"'{token}' (token {pos}), {'norm-weighted' if normed else 'raw'} attention"),
         key="drift", data=numbers.set_index("layer"))
if not drift.alike:
    st.caption(ui.esc(f"“{word}” occurs nowhere else in these sentences: add one that uses it to compare."))

# ---------------------------------------------------------------- attention, every head
st.subheader("Attention in every layer and head")
weights = att.view(normed)
n_l, n_h, t = att.num_layers, att.num_heads, len(att.tokens)
grid_event = st.session_state.get(ui.key("grid"))
points = ((grid_event or {}).get("selection") or {}).get("points") or []
if points and isinstance(points[0].get("customdata"), list) and len(points[0]["customdata"]) == 2:
    chosen = (min(max(int(points[0]["customdata"][0]), 1), n_l), min(max(int(points[0]["customdata"][1]), 0), n_h - 1))
    if st.session_state.get(ui.key("grid_seen")) != chosen:
        st.session_state[ui.key("grid_seen")] = chosen
        st.session_state[ui.key("layer")], st.session_state[ui.key("head")] = chosen
st.plotly_chart(plots.attention_grid_figure(weights, hide=hide, title=f"{n_l} layers x {n_h} heads: each square is "
                                            "one head, rows attend to columns (click one to enlarge it below)"),
                key=ui.key("grid"), on_select="rerun", selection_mode="points")
h1, h2 = st.columns(2)
layer = h1.slider("Layer", 1, n_l, key=ui.key("layer"))  # no value: a click on the grid may have set it
head = h2.slider("Head", 0, n_h - 1, key=ui.key("head"))
m = weights[layer - 1, head]
left, right = st.columns(2)
with left:
    labels = [f"{i}: {tk}" for i, tk in enumerate(att.tokens)]
    shown = [i for i in range(t) if i not in hide]
    ui.chart(plots.heatmap_figure(m[np.ix_(shown, shown)], [labels[i] for i in shown], [labels[i] for i in shown],
                                  title=f"Layer {layer}, head {head}", colorscale="Blues", zmin=0,
                                  annotate=len(shown) <= 16, xtitle="attends to"),
             key="head_matrix", data=pd.DataFrame(m, index=labels, columns=labels))
with right:
    only = st.toggle(f"Only the lines of “{token}”", value=False, key=ui.key("focus"))
    st.plotly_chart(plots.head_view_figure(m, att.tokens, hide=hide, focus=pos if only else None,
                                           title=f"Head view: layer {layer}, head {head}"), key=ui.key("head_view"))
st.download_button("This head's matrix (CSV)", lambda: att.head_csv(layer, head, normed), f"attention-l{layer}-h{head}.csv",
                   "text/csv", key=ui.key("csv"), on_click="ignore", icon=":material/download:")
per = att.per_layer(pos, normed)
ui.chart(plots.heatmap_figure(per, [f"{i}: {tk}" for i, tk in enumerate(att.tokens)], list(range(1, n_l + 1)),
                              title=f"What '{token}' attends to at each layer, averaged over heads", colorscale="Blues",
                              zmin=0, annotate=t <= 20, xtitle="attends to", ytitle="layer"),
         key="per_layer", data=pd.DataFrame(per, index=range(1, n_l + 1), columns=labels))

# ---------------------------------------------------------------- the scrubber
st.subheader("The drift, animated: tokens at every layer")
follow = st.text_input("Words to follow across layers", value="bank bat", key=ui.key("follow"), bind="query-params")


def scrubber():
    occ = []
    for w in dict.fromkeys(follow.lower().replace(",", " ").split()):
        occ += [(w, o) for o in ev.occurrences(hs_list, w)]
    if len(occ) < 3:
        raise ev.InputError("Following needs at least three uses of these words in the sentences; add sentences or words.")
    stack = np.stack([hs_list[o.sentence].array[:, list(o.token_indices)].mean(axis=1) for _, o in occ], axis=1)
    return ev.aligned_layers(stack), [o.label for _, o in occ], [w for w, _ in occ]


res = ui.keep_last("att_scrubber", scrubber, about=follow)
if res is not None:
    coords, labels_s, groups = res
    ui.chart(plots.moving_points_figure(coords, list(range(n_l + 1)), labels_s, groups, frame_name="layer",
                                        title="Each use of the words at each layer (press Play, or drag the slider): "
                                              "each layer's PCA, turned to line up with the layer before"),
             key="scrubber")
