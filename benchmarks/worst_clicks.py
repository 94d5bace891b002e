"""What the worst allowed click costs on each page, against the same page opened on its example.

Each case runs a page through Streamlit's AppTest in a fresh process: first the page on its default
example (the baseline), then the worst input the limits allow (embedviz/limits.py and the pages'
own caps). Reported: CPU-seconds and the growth of peak memory for the click alone, and the ratio
to the baseline's. The goal of the limits: a few CPU-seconds and a few hundred MB at most.

"sent MB": the figures' JSON the page sends to the browser. A file upload cannot be put in a link, so
the corpus cases (and "Show only these", a selection) run the backend calls the page makes, in the
same kind of fresh process; their baseline column is empty.

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
def _skipgram_text(chars: int = limits.MAX_SKIPGRAM_CHARS) -> str:
    import csv
    import io

    return " ".join(r["text"] for r in csv.DictReader(io.StringIO(ex.docstring_corpus(2000).decode())))[:chars]


def _cap_epochs(text: str, dim: int = 8, window: int = 2) -> int:
    from embedviz.training import tokenize_corpus

    toks = tokenize_corpus(text)
    pairs = sum(min(len(toks), i + window + 1) - max(0, i - window) - 1 for i in range(len(toks)))
    return max(1, limits.MAX_SKIPGRAM_WORK // (pairs * len(set(toks)) * (dim + limits.SKIPGRAM_SOFTMAX_COST)))


SKIPGRAM_20K = _skipgram_text()
SKIPGRAM_CAP_EPOCHS = _cap_epochs(SKIPGRAM_20K)
TINY_PARQUET = """
import io, numpy as np, pyarrow as pa, pyarrow.parquet as pq
col = pa.DictionaryArray.from_arrays(pa.array(np.zeros(2000, np.int32)), pa.array(["bank " * 200_000]))
buf = io.BytesIO(); pq.write_table(pa.table({"text": col}), buf, compression="zstd"); data = buf.getvalue()
del col
START()
try:
    ev.read_corpus(data, "tiny.parquet", text_column="text")
except ev.InputError as e:
    NOTE(f"{len(data)} B file: " + str(e)[:80])
"""
TEN_MB_ROW = """
data = b"A short row.\\n" + ("The river bank was flooded again this spring. " * 220_000).encode() + b"\\n"
START()
rows = ev.read_corpus(data, "rows.txt")
vecs, cut = ev.embed_corpus(ev.load_encoder(), rows.texts)
NOTE(f"{len(data) / 1e6:.0f} MB file, rows cut: {rows.long}, longest kept {max(map(len, rows.texts)):,} chars")
"""
CORPUS_RERUN = """
import csv, io
texts = [r["text"] for r in csv.DictReader(io.StringIO(ex.docstring_corpus(2000).decode()))]
texts = [f"{t} ({i})" for i in range(10) for t in texts][:20_000]
data = ("text\\n" + "\\n".join('"' + t.replace('"', '""') + '"' for t in texts) + "\\n").encode()
enc = ev.load_encoder()
rows = ev.read_corpus(data, "big.csv", text_column="text")
vecs = np.random.default_rng(0).normal(size=(len(rows.texts), enc.hidden_size)).astype(np.float32)  # embedding: once
ev.clusters(vecs, rows.texts, 8)
START()  # a click on the map: what the page asks of the backend again
rows = ev.read_corpus(bytes(data), "big.csv", text_column="text")
ev.clusters(vecs, rows.texts, 8)
NOTE(f"{len(rows.texts):,} rows, {len(data) / 1e6:.1f} MB: parse and k-means memoised")
"""
SHOW_ONLY = """
m = ev.word_map(ev.load_vectors(), "pca")
START()
try:
    sub = m.reprojected(np.arange({n}), "{method}")
    NOTE(f"{{len(sub):,}} points re-projected ({method}); again: " + str(m.reprojected(np.arange({n}), "{method}") is sub))
except ev.InputError as e:
    NOTE(str(e)[:90])
"""

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
    # Issue 26: the pages added since the first round
    "Attention 512 tok": ("app_pages/8_Attention.py", {"attention_text": LONG_SENTENCE}),
    "Skip-gram at cap": ("app_pages/7_Train.py", {"train_tab": "Your own text (skip-gram)", "train_sg_dim": "8", "train_sg_window": "2",
                                                  "train_corpus": SKIPGRAM_20K, "train_sg_epochs": str(SKIPGRAM_CAP_EPOCHS)}),
    "Corpus (example)": ("app_pages/9_Corpus.py", {}),
    # A file upload cannot go in a link: these run what the page runs on the upload, in the same fresh process
    "Corpus 833 B pq": ("code", TINY_PARQUET),
    "Corpus 10 MB row": ("code", TEN_MB_ROW),
    "Corpus 20k rerun": ("code", CORPUS_RERUN),
    "Show only 310k": ("code", SHOW_ONLY.format(n=310_000, method="tsne")),
    "Show only 50k": ("code", SHOW_ONLY.format(n=limits.MAX_REPROJECT_POINTS, method="tsne")),
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

notes = []
if {page!r} == "code":
    import numpy as np
    from embedviz import examples as ex
    start = {{}}

    def START():
        start.update(m0=peak_mb(), c0=cpu(), t0=time.perf_counter())

    NOTE = notes.append
    exec({params!r})
    out = dict(cpu=cpu() - start["c0"], wall=time.perf_counter() - start["t0"], mem=peak_mb() - start["m0"], sent=0,
               errors=notes)
else:
    at = AppTest.from_file({page!r}, default_timeout=600)
    for k, v in {params!r}.items():
        at.query_params[k] = v
    m0, c0, t0 = peak_mb(), cpu(), time.perf_counter()
    at.run()
    out = dict(cpu=cpu() - c0, wall=time.perf_counter() - t0, mem=peak_mb() - m0,
               sent=sum(len(c.proto.spec) for c in at.get("plotly_chart")) / 1e6,
               errors=[e.value for e in at.exception] + [w.value[:100] for w in at.warning])
print(json.dumps(out))
"""


def measure(page: str, params) -> dict:
    code = CHILD.format(root=str(ROOT), page=page if page == "code" else str(ROOT / page), params=params)
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
print(f"{'page':18} {'example: CPU s':>14} {'worst: CPU s':>12} {'wall s':>7} {'+peak MB':>9} {'sent MB':>8} "
      f"{'x example':>9}  notes")
for name in wanted:
    page, params = CASES[name]
    base = measure(page, {}) if page != "code" else {"cpu": float("nan")}
    worst = measure(page, params)
    notes = "; ".join(worst["errors"])[:140]
    print(f"{name:18} {base['cpu']:14.2f} {worst['cpu']:12.2f} {worst['wall']:7.2f} {worst['mem']:9.0f} "
          f"{worst['sent']:8.2f} {worst['cpu'] / max(base['cpu'], 1e-3):9.1f}  {notes}", flush=True)
