"""The Attention & drift page for a 25-token sentence, once the model is loaded: the page's whole run
(AppTest, server side) for a new sentence, against its floor, the same page rerun with nothing changed.
And the attention grid built two ways, as one tiled heatmap (what the page draws) and as one subplot
per head: time to build the figure and serialise it, and its size, for 6 x 12 heads (the bundled
model) and 12 x 12 (bert-base's shape, with random weights).

Usage: python benchmarks/attention.py"""

import time

import numpy as np
from _common import ROOT, best_of

import embedviz as ev
from embedviz import plots

SENTENCE = "The old fisherman sat on the muddy river bank and watched the bank clerk row past with a sack of coins."


def page_times():
    from streamlit.testing.v1 import AppTest

    enc = ev.load_encoder()
    assert len(enc.tokenize("Today " + SENTENCE).tokens) == 25
    at = AppTest.from_file(str(ROOT / "app_pages" / "8_Attention.py"), default_timeout=300)
    at.run()  # warm: imports, the model
    new = []
    for k in range(3):
        at.text_area(key="attention_text").input(f"{['Yesterday', 'Today', 'Tomorrow'][k]} {SENTENCE}\nAnother bank.")
        t = time.perf_counter()
        at.run()
        new.append(time.perf_counter() - t)
        assert not at.exception
    same = []
    for _ in range(3):
        t = time.perf_counter()
        at.run()
        same.append(time.perf_counter() - t)
    return min(new), min(same)


def grid_times(layers, heads, tokens=27):
    rng = np.random.default_rng(0)
    w = rng.random((layers, heads, tokens, tokens))
    w /= w.sum(-1, keepdims=True)

    def tiled():
        plots.attention_grid_figure.cache_clear()
        return plots.attention_grid_figure(w, title="grid").to_json()

    def subplots():
        return plots.attention_grid_subplots(w, title="grid").to_json()

    a, ja = best_of(tiled, 3)
    b, jb = best_of(subplots, 1)
    return a, len(ja), b, len(jb)


def main():
    new, same = page_times()
    print(f"Attention & drift, a new 25-token sentence: {new:.2f} s for the page's whole run (floor: the same page "
          f"rerun with nothing changed, {same:.3f} s; {new / same:.1f}x the floor)")
    for layers, heads in ((6, 12), (12, 12)):
        a, na, b, nb = grid_times(layers, heads)
        print(f"attention grid {layers} x {heads}: one tiled heatmap {a * 1000:.0f} ms ({na / 1e3:.0f} KB); one subplot "
              f"per head {b * 1000:.0f} ms ({nb / 1e3:.0f} KB) -> tiled is {b / a:.1f}x faster")


if __name__ == "__main__":
    main()
