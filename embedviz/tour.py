"""The guided tour, one step at a time: each step's figure, its numbers and what to notice, computed
on the step's example for the given encoder and vectors, so that what the tour says stays true on
another model. :func:`tour_html` writes the whole tour as one file (see :mod:`embedviz.story`).

>>> import embedviz as ev
>>> step = ev.tour_step(6, ev.load_encoder(), ev.load_vectors())
>>> step.title, "queen" in step.notice
('king - man + woman', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import examples as ex
from . import plots
from .cache import memoize
from .errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

TOUR_TITLES = ("Tokens", "The layers", "The three banks", "Where the senses part", "Sentence vectors",
               "king - man + woman", "One 'bat' or many", "Clusters in PCA", "The whole vocabulary", "Your corpus",
               "Train from scratch")
TOUR_ABOUT = (
    "How BERT cuts a sentence into WordPiece tokens, [CLS] and [SEP] included.",
    "One sentence becomes layers + 1 x tokens x hidden numbers; a few dimensions stand far out.",
    "Three uses of 'bank', compared layer by layer: the same word, different vectors.",
    "Where the river 'bank' parts from the money 'bank's, and what it listened to there.",
    "Sentences that mean the same thing score highest, even with no words in common.",
    "GloVe's most famous analogy, and where the input words themselves would rank.",
    "GloVe gives 'bat' one vector; the encoder gives each use its own, near labelled uses of its sense.",
    "Vehicles, pets and fruits fall into separate clouds, from static vectors alone.",
    "All 400,000 GloVe words on one map: find 'frog' and its nearest neighbours.",
    "A file of your own rows as a map: Python's docstrings, searched by meaning.",
    "Nine words in three dimensions learn their groups from scratch while you watch.",
)
# The two money "bank"s and the river "bank" of ex.BANK_SENTENCE, in order.
BANK_SENSES = ("money", "money", "river")


@dataclass(frozen=True, eq=False)
class TourStep:
    """One step of the tour: ``notice`` is a sentence computed from ``numbers``."""

    title: str
    figure: go.Figure
    numbers: pd.DataFrame
    notice: str


def tour_step(k: int, encoder, vectors) -> TourStep:
    """Step ``k`` (1-based) of the tour, on its example, for ``encoder`` and ``vectors``."""
    if not 1 <= k <= len(TOUR_TITLES):
        raise InputError(f"The tour has steps 1 to {len(TOUR_TITLES)}.")
    return _step(k, encoder, vectors)


@memoize(maxsize=32)
def _step(k: int, encoder, vectors) -> TourStep:
    figure, numbers, notice = STEPS[k - 1](encoder, vectors)
    return TourStep(TOUR_TITLES[k - 1], figure, numbers, notice)


def _tokens(enc, vecs):
    import pandas as pd

    tok = enc.tokenize(ex.EMBEDDINGS_SENTENCE)
    pieces = enc.tokenize("embeddings").tokens[1:-1]
    fig = plots.bar_figure([f"{i}: {t}" for i, t in enumerate(tok.tokens)], [int(i) for i in tok.ids],
                           title="Token ids of the tutorial's sentence", xtitle="id in the vocabulary", fmt="d")
    split = (f"'embeddings' is not in {enc.name}'s vocabulary, so it becomes {' '.join(pieces)}"
             if len(pieces) > 1 else f"'embeddings' is a whole token in {enc.name}'s vocabulary")
    notice = (f"{split}; the sentence's {len(tok.words)} words make {len(tok.tokens)} tokens, "
              f"{tok.tokens[0]} first and {tok.tokens[-1]} last.")
    return fig, pd.DataFrame(tok.rows()), notice


def _layers(enc, vecs):
    import pandas as pd

    hs = enc.hidden_states(ex.BANK_SENTENCE)
    layer, pos = min(5, enc.num_layers), min(5, len(hs.tokens) - 1)
    vec = np.asarray(hs.array[layer, pos], dtype=np.float64)
    z = np.abs(vec - vec.mean()) / max(vec.std(), 1e-12)
    far = int(np.argmax(z))
    near = float(np.mean(np.abs(vec) < 2 * vec.std()))
    shape = " x ".join(map(str, hs.array.shape))
    notice = (f"One sentence becomes {shape} numbers (layers + 1 x tokens x hidden). At layer {layer}, "
              f"{near:.0%} of the values of '{hs.tokens[pos]}' lie within two standard deviations of zero, while "
              f"dimension {far} stands {z[far]:.0f} deviations out ({vec[far]:.2f}).")
    return (plots.histogram_figure(vec, title=f"Values of '{hs.tokens[pos]}' at layer {layer}"),
            pd.DataFrame({"value": vec}), notice)


def _banks(enc, vecs):
    import pandas as pd

    from .similarity import layer_similarity, parting
    from .uses import occurrence_vectors, occurrences

    hs = [enc.hidden_states(ex.BANK_SENTENCE)]
    ls = layer_similarity(hs, "bank")
    uses = occurrence_vectors(hs, occurrences(hs, "bank"))  # [uses, layers + 1, hidden]
    p = parting(uses[BANK_SENSES.index("river")], [u for u, s in zip(uses, BANK_SENSES) if s == "money"])
    notice = (f"The river 'bank' is furthest from the two money 'bank's, relative to how alike those two are, at layer "
              f"{p.layer}: cosine {p.to_others[p.layer]:.2f} to them against {p.among[p.layer]:.2f} between them "
              f"(at the embeddings, layer 0: {p.to_others[0]:.2f} against {p.among[0]:.2f}; at the last layer, "
              f"{p.to_others[-1]:.2f} against {p.among[-1]:.2f}).")
    fig = plots.layer_similarity_figure(ls.values, ls.labels, title="How alike the uses of 'bank' are, layer by layer")
    return fig, pd.DataFrame(ls.values, index=ls.labels, columns=[f"layer {i}" for i in range(ls.values.shape[1])]), notice


def _parting(enc, vecs):
    import pandas as pd

    from .attention import listened_most, token_drift
    from .similarity import parting
    from .uses import same_word_vectors

    hs = enc.hidden_states(ex.BANK_SENTENCE)
    pos = [i for i, t in enumerate(hs.tokens) if t == "bank"][-1]
    others = same_word_vectors([hs], "bank", skip=(0, pos))
    att = enc.attention(ex.BANK_SENTENCE)
    drift = token_drift(att, pos, others=others, skip_special=True)
    p = parting(hs.array[:, pos], others)
    most = int(np.argmax(drift.moved)) + 1
    heard = listened_most(att, pos, range(1, max(p.layer, 1) + 1))
    notice = (f"The river 'bank' parts most from the other two at layer {p.layer}: cosine {p.to_others[p.layer]:.2f} "
              f"to them, against {p.among[p.layer]:.2f} between them"
              + (f". On its way there it listens most, [CLS] and [SEP] aside, to '{heard[2]}' ({heard[3]:.2f} at layer "
                 f"{heard[0]}, averaged over heads)" if heard else "")
              + f". The layer that moves its vector most (1 - cosine to the layer below) is layer {most}, where it "
              + ("comes back towards the others." if p.to_others[most] > p.to_others[most - 1] else "moves away from them."))
    fig = plots.drift_figure(drift.moved, drift.change, tuple(tuple(r) for r in drift.top), drift.alike, token="bank",
                             title="The river 'bank': how far it moved, what it listened to, how alike the others")
    numbers = pd.DataFrame({"layer": range(1, att.num_layers + 1), "1 - cosine": drift.moved,
                            "cosine to the others": p.to_others[1:], "cosine between the others": p.among[1:],
                            "attended most": [", ".join(f"{t} {w:.2f}" for _, t, w in row) for row in drift.top]})
    return fig, numbers.set_index("layer"), notice


def _sentences(enc, vecs):
    import pandas as pd

    from .vecmath import cos_sim

    sim = cos_sim(enc.sentence_vectors(ex.SENTENCES))
    off = sim - np.eye(len(sim)) * 9
    i, j = np.unravel_index(np.argmax(off), off.shape)
    shared = set(ex.SENTENCES[i].lower().strip("?.").split()) & set(ex.SENTENCES[j].lower().strip("?.").split())
    notice = (f"The most alike pair is '{ex.SENTENCES[i]}' and '{ex.SENTENCES[j]}' (cosine {sim[i, j]:.2f}), "
              + (f"sharing only {', '.join(sorted(shared))}." if shared else "with no word in common."))
    short = [f"{k + 1}. {s[:40]}" for k, s in enumerate(ex.SENTENCES)]
    fig = plots.heatmap_figure(sim, [str(k + 1) for k in range(len(short))], short, title="Sentence similarity",
                               zmin=float(off[off > -1].min()), zmax=1.0)
    return fig, pd.DataFrame(sim, index=ex.SENTENCES, columns=ex.SENTENCES), notice


def _analogy(enc, vecs):
    import pandas as pd

    from .projection import project

    answers = vecs.analogy("man", "king", "woman", topn=10)
    king = vecs.input_ranks("man", "king", "woman")["king"]
    words4, m4, _ = vecs.subset(["man", "king", "woman", answers[0][0]])
    xy4 = np.asarray(project(m4, "pca"))
    notice = (f"On {vecs.source}, the answer is '{answers[0][0]}' ({answers[0][1]:.2f}), then '{answers[1][0]}' "
              f"({answers[1][1]:.2f}). 'king' itself is left out of the answers: had it not been, it would have come "
              f"{_ordinal(king)}.")
    return (plots.analogy_figure(xy4, words4, title="The parallelogram"), pd.DataFrame(answers, columns=["word", "score"]),
            notice)


def _ordinal(n: int) -> str:
    """1 -> "first", 2 -> "second", 3 -> "third", 4 -> "4th", 22 -> "22nd"."""
    if n <= 3:
        return ("first", "second", "third")[n - 1]
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _senses(enc, vecs):
    import pandas as pd

    from .compare_plots import sense_accuracy_figure
    from .senses import likely_sense, sense_accuracy, sense_neighbours

    acc = sense_accuracy(enc)
    b = acc.best_layer
    glove = [w for w, _ in vecs.most_similar("bat", topn=5)]
    landed = [likely_sense(sense_neighbours(enc, t, "bat", b, 5)) for t in ex.BAT_USES]
    notice = (f"{vecs.source.split(' (')[0]} gives 'bat' one list whatever the sentence ({', '.join(glove[:4])}). At "
              f"layer {b} of {enc.name}, the cave use lands among '{landed[0][0]}' uses, the baseball use among "
              f"'{landed[1][0]}' uses and the barn use among '{landed[2][0]}' uses; over {acc.uses} labelled uses, the "
              f"nearest use has the same sense {acc.accuracy[b]:.0%} of the time at layer {b}, against "
              f"{acc.accuracy[0]:.0%} at the embeddings (chance {acc.chance:.0%}).")
    fig = sense_accuracy_figure(acc.accuracy, acc.chance, chosen=b,
                                title="How well each layer tells the senses apart (nearest labelled use)")
    numbers = pd.DataFrame({"layer": range(len(acc.accuracy)), "accuracy": acc.accuracy, "chance": acc.chance})
    return fig, numbers.set_index("layer"), notice


def _clusters(enc, vecs):
    import pandas as pd

    from .projection import project

    words, x, groups, _ = vecs.grouped({g: ex.WORD_GROUPS[g] for g in ex.DEFAULT_GROUPS})
    xy = np.asarray(project(x, "pca"))
    d = ((xy[:, None] - xy[None]) ** 2).sum(-1) + np.eye(len(xy)) * 1e18
    same = float(np.mean([groups[int(np.argmin(row))] == g for row, g in zip(d, groups)]))
    notice = (f"In the picture, {same:.0%} of the {len(words)} words have a word of their own group as their nearest "
              f"neighbour ({', '.join(ex.DEFAULT_GROUPS)}), from {x.shape[1]} dimensions squeezed to 2.")
    return (plots.scatter_figure(xy, words, color=groups, title="Word groups in PCA"),
            pd.DataFrame(xy, index=words, columns=["x", "y"]).assign(group=groups), notice)


def _vocabulary(enc, vecs):
    import pandas as pd

    near = vecs.most_similar("frog", topn=10)
    notice = (f"Among all {len(vecs):,} words of {vecs.source.split(' (')[0]}, the nearest to 'frog' by cosine are "
              + ", ".join(f"'{w}' ({s:.2f})" for w, s in near[:5]) + ".")
    fig = plots.bar_figure([w for w, _ in near], [s for _, s in near], title="The nearest words to 'frog'",
                           xtitle="cosine")
    return fig, pd.DataFrame(near, columns=["word", "cosine"]), notice


def _corpus(enc, vecs):
    import pandas as pd

    from .embed import embed_corpus
    from .projection import project
    from .rows import read_corpus
    from .search import nearest_rows

    rows = read_corpus(ex.docstring_corpus(), "python-docstrings.csv", text_column="text", label_column="module")
    v, _ = embed_corpus(enc, rows.texts, "model")
    q = enc.sentence_vector(ex.CORPUS_QUERY, "model")
    idx, sims = nearest_rows(v, q, 5)
    modules = [rows.labels[i] for i in idx]
    notice = (f"{len(rows.texts):,} docstrings from {len(set(rows.labels))} modules. Asked '{ex.CORPUS_QUERY}', the "
              f"nearest rows by meaning come from {', '.join(dict.fromkeys(modules))}; the best ({sims[0]:.2f}): "
              f"'{rows.texts[idx[0]][:70]}'.")
    xy = np.asarray(project(v, "pca"))
    fig = plots.scatter_figure(xy, [t[:50] for t in rows.texts], color=rows.labels, show_labels=False,
                               title="Python's docstrings, one point per row (PCA)")
    return fig, pd.DataFrame({"cosine": sims, "row": [rows.texts[i] for i in idx], "module": modules}), notice


def _train(enc, vecs):
    import pandas as pd

    from .training import TUTORIAL_GROUPS, train_embeddings

    res = train_embeddings(TUTORIAL_GROUPS)
    within, across = res.within_across()
    notice = (f"The loss falls from {res.losses[0]:.2f} to {res.losses[-1]:.2f} in {len(res.losses)} epochs; words of "
              f"one group end at mean cosine {within:.2f} to each other, against {across:.2f} across groups.")
    return (plots.training_figure(res.snapshots, res.snapshot_epochs, res.words, res.group_names()),
            pd.DataFrame(res.vectors, index=res.words), notice)


STEPS = (_tokens, _layers, _banks, _parting, _sentences, _analogy, _senses, _clusters, _vocabulary, _corpus, _train)


def tour_html(encoder, vectors) -> str:
    """The whole tour as one HTML file that opens offline: a slide per step (figure, what to notice, its
    numbers)."""
    from .story import Slide, numbers_html, story_html

    slides = []
    for k in range(1, len(TOUR_TITLES) + 1):
        s = tour_step(k, encoder, vectors)
        slides.append(Slide(f"{k}. {s.title}", s.notice, figure=s.figure.to_json(), numbers=numbers_html(s.numbers)))
    return story_html(slides, title="embedviz: the guided tour",
                      about=f"Model: {encoder.name}; static vectors: {vectors.source}.")
