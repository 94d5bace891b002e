"""The guided tour as one self-contained HTML file: each step's figure (plotly.js inlined once), what
to notice, and its numbers as a table, for sending to people who will not run a server.

>>> import embedviz as ev
>>> html = ev.tour_html(ev.load_encoder(), ev.load_vectors(), [f"step {k}" for k in range(1, 8)])
>>> html.count('class="plotly-graph-div"'), "queen" in html
(7, True)
"""

from __future__ import annotations

import datetime
import html as html_lib
from typing import TYPE_CHECKING

import numpy as np

from . import examples as ex
from . import plots
from .projection import project
from .similarity import layer_similarity
from .training import TUTORIAL_GROUPS, train_embeddings
from .vecmath import cos_sim

if TYPE_CHECKING:
    import pandas as pd

def tour_steps(encoder, vectors) -> list[tuple[str, object, pd.DataFrame]]:
    """(title, figure, numbers) of each of the tour's seven steps, on their examples."""
    import pandas as pd  # here, not at the top: importing embedviz should not cost pandas' 0.8 s

    tok = encoder.tokenize(ex.EMBEDDINGS_SENTENCE)
    tokens = pd.DataFrame(tok.rows())
    hs = encoder.hidden_states(ex.BANK_SENTENCE)
    layer, pos = min(5, encoder.num_layers), min(5, len(hs.tokens) - 1)
    vec = hs.array[layer, pos]
    ls = layer_similarity([hs], "bank")
    sim = cos_sim(encoder.sentence_vectors(ex.SENTENCES))
    short = [f"{i + 1}. {s[:40]}" for i, s in enumerate(ex.SENTENCES)]
    answers = vectors.analogy("man", "king", "woman", topn=10)
    words4, m4, _ = vectors.subset(["man", "king", "woman", answers[0][0]])
    xy4 = np.asarray(project(m4, "pca"))
    words, x, groups, _ = vectors.grouped({g: ex.WORD_GROUPS[g] for g in ex.DEFAULT_GROUPS})
    xy = np.asarray(project(x, "pca"))
    trained = train_embeddings(TUTORIAL_GROUPS)
    return [
        ("Tokens", plots.bar_figure([f"{i}: {t}" for i, t in enumerate(tok.tokens)], [float(i) for i in tok.ids], title="Token ids of the tutorial's sentence",
                                    xtitle="id in the vocabulary"), tokens),
        ("The layers", plots.histogram_figure(vec, title=f"Values of '{hs.tokens[pos]}' at layer {layer}"),
         pd.DataFrame({"value": vec})),
        ("The three banks", plots.layer_similarity_figure(ls.values, ls.labels, title="How alike the uses of 'bank' are"),
         pd.DataFrame(ls.values, index=ls.labels, columns=[f"layer {i}" for i in range(ls.values.shape[1])])),
        ("Sentence vectors", plots.heatmap_figure(sim, [str(i + 1) for i in range(len(short))], short,
                                                  title="Sentence similarity", zmin=-1, zmax=1),
         pd.DataFrame(sim, index=ex.SENTENCES, columns=ex.SENTENCES)),
        ("king - man + woman", plots.analogy_figure(xy4, words4, title="The parallelogram"),
         pd.DataFrame(answers, columns=["word", "score"])),
        ("Clusters in PCA", plots.scatter_figure(xy, words, color=groups, title="Word groups in PCA"),
         pd.DataFrame(xy, index=words, columns=["x", "y"]).assign(group=groups)),
        ("Train from scratch", plots.training_figure(trained.snapshots, trained.snapshot_epochs, trained.words,
                                                     trained.group_names()),
         pd.DataFrame(trained.vectors, index=trained.words)),
    ]


def tour_html(encoder, vectors, notices: list[str]) -> str:
    """The tour as one HTML page that opens from disk with no server and no network: a section per
    step with its figure, ``notices[k]`` (what to notice) and its numbers."""
    import plotly.offline

    parts = []
    for k, ((title, fig, numbers), notice) in enumerate(zip(tour_steps(encoder, vectors), notices), start=1):
        parts.append(f"<section><h2>{k}. {html_lib.escape(title)}</h2><p class='notice'>{html_lib.escape(notice)}</p>"
                     + fig.to_html(full_html=False, include_plotlyjs=False)
                     + "<details><summary>The numbers</summary>"
                     + numbers.head(200).to_html(float_format=lambda v: f"{v:.4f}", border=0) + "</details></section>")
    stamp = datetime.date.today().isoformat()
    return ("<!doctype html><html><head><meta charset='utf-8'><title>embedviz: the guided tour</title>"
            "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
            ".notice{color:#444}table{font-size:12px;border-collapse:collapse}td,th{padding:2px 6px}</style>"
            f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
            f"<h1>embedviz: the guided tour</h1><p>Model: {html_lib.escape(encoder.name)}; static vectors: "
            f"{html_lib.escape(vectors.source)}; made {stamp}.</p>" + "".join(parts) + "</body></html>")
