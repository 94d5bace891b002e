"""What the worst allowed click costs on each page, against the same page opened on its example.

Each case runs a page through Streamlit's AppTest in a fresh process: first the page on its default
example (the baseline), then the worst input the limits allow (embedviz/limits.py and the pages'
own caps). Reported: CPU-seconds and the growth of peak memory for the click alone, and the ratio
to the baseline's. The goal of the limits: a few CPU-seconds and a few hundred MB at most.

Usage: python benchmarks/worst_clicks.py [CASE ...]
"""

import json
import os
import subprocess
import sys
import tempfile

from _common import ROOT

from embedviz import examples as ex
from embedviz import limits

LONG_SENTENCE = "The bank robber was seen fishing on the river bank near the old stone bridge. " * 35  # > 512 tokens
CASES = {
    "Tokens": ("app_pages/1_Tokens.py", {"tokens_text": LONG_SENTENCE, "tokens_word": "a" * 985 + " tokenization"}),
    "Layers": ("app_pages/2_Layers.py", {"layers_text": LONG_SENTENCE}),
    "Context": ("app_pages/3_Context.py", {"context_text": "\n".join([LONG_SENTENCE] * 50)}),
    "Sentences": ("app_pages/4_Sentences.py", {"sentences_text": "\n".join(f"{LONG_SENTENCE} {i}" for i in range(limits.MAX_SENTENCES))}),
    "Static vectors": ("app_pages/5_Static_vectors.py", {"vectors_tab": "Benchmarks", "vectors_restrict": "300,000"}),
    "Projections": ("app_pages/6_Projections.py", {"projections_method": "tsne", "projections_top_n": "5000", "projections_dims": "3"}),
    "Train (groups)": ("app_pages/7_Train.py", {"train_groups": "\n".join(" ".join(f"w{g}x{i}" for i in range(30))
                                                                  for g in range(2)), "train_epochs": str(limits.MAX_EPOCHS)}),
    "Train (skip-gram)": ("app_pages/7_Train.py", {"train_tab": "Your own text (skip-gram)", "train_sg_epochs": str(limits.MAX_EPOCHS),
                                                   "train_sg_dim": "8", "train_corpus": (ex.SKIPGRAM_TEXT + " ") * 10}),
}

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
import embedviz as ev
ev.load_encoder(ev.BUNDLED)
ev.load_vectors()

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

at = AppTest.from_file({page!r}, default_timeout=600)
for k, v in {params!r}.items():
    at.query_params[k] = v
m0, c0, t0 = peak_mb(), cpu(), time.perf_counter()
at.run()
out = dict(cpu=cpu() - c0, wall=time.perf_counter() - t0, mem=peak_mb() - m0,
           errors=[e.value for e in at.exception] + [w.value[:100] for w in at.warning])
print(json.dumps(out))
"""


def measure(page: str, params: dict) -> dict:
    code = CHILD.format(root=str(ROOT), page=str(ROOT / page), params=params)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:  # too long for a command line
        f.write(code)
    try:
        out = subprocess.run([sys.executable, f.name], capture_output=True, text=True, cwd=ROOT, timeout=900)
    finally:
        os.unlink(f.name)
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


wanted = sys.argv[1:] or list(CASES)
print(f"{'page':18} {'example: CPU s':>14} {'worst: CPU s':>12} {'wall s':>7} {'+peak MB':>9} {'x example':>9}  notes")
for name in wanted:
    page, params = CASES[name]
    base = measure(page, {})
    worst = measure(page, params)
    notes = "; ".join(worst["errors"])[:140]
    print(f"{name:18} {base['cpu']:14.2f} {worst['cpu']:12.2f} {worst['wall']:7.2f} {worst['mem']:9.0f} "
          f"{worst['cpu'] / max(base['cpu'], 1e-3):9.1f}  {notes}")
