"""Claim: our t-SNE (openTSNE, FFT gradients) is at least twice as fast as scikit-learn's TSNE with
its defaults on a few thousand real word vectors, with no worse trustworthiness (10 neighbours).
Baseline: sklearn.manifold.TSNE(random_state=0) defaults."""

import numpy as np
from _common import best_of, report
from sklearn.manifold import TSNE, trustworthiness

import embedviz as ev

vecs = ev.load_vectors(encoder=ev.load_encoder(ev.BUNDLED))
x = np.asarray(vecs.matrix[:3000], dtype=np.float64)
base_s, base = best_of(lambda: TSNE(random_state=0).fit_transform(x), 1)
ours_s, ours = best_of(lambda: ev.project(x, "tsne", random_state=0, metric="euclidean"), 1)
tw_base = trustworthiness(x, base, n_neighbors=10)
tw_ours = trustworthiness(x, np.asarray(ours), n_neighbors=10)
print(f"3,000 word vectors of {x.shape[1]} dims; trustworthiness sklearn {tw_base:.3f}, embedviz {tw_ours:.3f}")
report("t-SNE", "scikit-learn TSNE defaults", base_s, ours_s, goal=2)
