"""Claim: a rerun that changes nothing costs milliseconds, and a new sentence shows its tokens and
layers in well under a second. Baseline: the first run of the same page (model already loaded,
nothing cached for its input), measured through Streamlit's AppTest in this process."""

import statistics
import time

from _common import ROOT, report
from streamlit.testing.v1 import AppTest

import embedviz as ev

ev.load_encoder(ev.BUNDLED)
SENTENCES = ["The cat sat on the mat.", "A river bank is muddy in spring.", "Quantum physics puzzles me.",
             "She bought three apples and a pear.", "Embeddings map words to vectors."]

for page, key in (("app_pages/1_Tokens.py", "tokens_text"), ("app_pages/2_Layers.py", "layers_text")):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    same = []
    for _ in range(10):
        t = time.perf_counter()
        at.run()
        same.append(time.perf_counter() - t)
    new = []
    for s in SENTENCES:
        t = time.perf_counter()
        at.text_area(key=key).input(s).run()
        new.append(time.perf_counter() - t)
    assert not at.exception
    print(f"{page}: first run {first * 1000:.0f} ms; unchanged rerun median {statistics.median(same) * 1000:.0f} ms "
          f"(max {max(same) * 1000:.0f}); new sentence median {statistics.median(new) * 1000:.0f} ms "
          f"(max {max(new) * 1000:.0f})")
    report(f"{page} rerun with nothing changed", "first run of the page", first, statistics.median(same))
