"""Label layout per view on the whole-vocabulary map: the found word and its 10 neighbours placed apart
(moved aside with leader lines where they crowd) and the background labels fitted around them, against
the floor, the background labels alone as they were chosen before (around the highlighted words' default
places). Real GloVe 6B 50d PCA map of all 400,000 words; 40 views, each centred on a word found (an
eighth of the map wide, as the page zooms), plus the whole map with a word found.

Usage: python benchmarks/map_labels.py"""

import numpy as np
from _common import rounds

import embedviz as ev


def main():
    m = ev.word_map(ev.load_vectors(), "pca")
    x0, x1, y0, y1 = m.extent()
    words = np.random.default_rng(0).choice(np.flatnonzero(m.readable[:50_000]), 40, replace=False)
    cases = []
    for i in words:
        nb = [int(j) for j in m.neighbours(int(i), 10).full]
        cx, cy = m.coords[i]
        view = (cx - (x1 - x0) / 8, cx + (x1 - x0) / 8, cy - (y1 - y0) / 8, cy + (y1 - y0) / 8)
        cases += [(view, [int(i), *nb]), (m.extent(), [int(i), *nb])]

    def floor():
        for view, hl in cases:
            m.labelled(view, avoid=hl)

    def ours():
        for view, hl in cases:
            m.labelled(view, placed=m.label_layout(hl, view))

    times = rounds({"floor": floor, "ours": ours}, n=5)
    per = {k: min(v) / len(cases) * 1000 for k, v in times.items()}
    moved = np.mean([m.label_layout(hl, view).moved.mean() for view, hl in cases])
    print(f"label layout per view ({len(cases)} views, {moved:.0%} of highlighted labels moved aside): background "
          f"labels alone (floor) {per['floor']:.1f} ms, with the leader-line layout {per['ours']:.1f} ms -> "
          f"{per['ours'] / per['floor']:.2f}x the floor")


if __name__ == "__main__":
    main()
