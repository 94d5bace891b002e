"""Colour a map by a column: numbers on a continuous scale (a colour bar), categories as a legend that
stays readable however many there are (the most common named, each in its own colour, the rest as
"other").

>>> c = colour_by(["os", "json", "os", "re"], column="module")
>>> c.groups, c.legend
(['os', 'json', 'os', 're'], [('os', 2), ('json', 1), ('re', 1)])
>>> c = colour_by(np.arange(100.0), column="year")
>>> c.values is not None, c.low, c.high  # the 2nd and 98th percentiles: outliers do not wash it out
(True, 1.98, 97.02)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOP_GROUPS = 19  # named categories at most: with "other", twenty colours, each told apart from the others
NUMBERS_AFTER = 10  # a numeric column with more distinct values than this is a scale, not categories
OTHER = "other"
NONE = "(none)"


@dataclass(frozen=True)
class Colouring:
    """How to colour ``n`` points by ``column``: either ``groups`` (per point its category's name, the
    rare ones ``"other"``; ``legend`` lists (name, points) most common first, "other" last) or ``values``
    (``[n]`` float, NaN where missing, drawn from ``low`` to ``high``: the 2nd and 98th percentiles, so
    a few outliers do not wash the scale out). ``note`` says in words what was done."""

    column: str
    groups: list[str] | None
    values: np.ndarray | None
    legend: list[tuple[str, int]]
    low: float
    high: float
    note: str

    def scaled(self) -> np.ndarray:
        """``values`` mapped to [0, 1] between ``low`` and ``high`` (clipped), NaN kept."""
        span = self.high - self.low
        return np.clip((self.values - self.low) / (span if span > 0 else 1.0), 0.0, 1.0)


def colour_by(values: Sequence | np.ndarray, *, column: str, top: int = TOP_GROUPS) -> Colouring:
    """The :class:`Colouring` of points whose ``column`` holds ``values`` (one per point): a float array
    with more than ten distinct values is a scale; anything else is categories, the ``top`` most common
    named (ties by first appearance) and the rest ``"other"`` when there are more than ``top + 1``."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        v = values.astype(np.float64)
        finite = v[np.isfinite(v)]
        if len(np.unique(finite[:1_000_000])) > NUMBERS_AFTER:
            lo, hi = (float(q) for q in np.percentile(finite, [2, 98]))
            missing = int(len(v) - len(finite))
            return Colouring(column, None, np.where(np.isfinite(v), v, np.nan).astype(np.float32), [], lo, hi,
                             f"{column}: numbers from {finite.min():,.4g} to {finite.max():,.4g}, coloured from "
                             f"{lo:,.4g} to {hi:,.4g} (the 2nd to 98th percentile)"
                             + (f"; {missing:,} points without a number are grey" if missing else "") + ".")
        values = [None if not np.isfinite(x) else (str(int(x)) if float(x).is_integer() else f"{x:g}") for x in v]
    names = [NONE if v is None or str(v).strip() == "" else str(v) for v in values]
    counts = Counter(names)
    ranked = sorted(counts, key=lambda g: -counts[g])  # stable: ties keep their first appearance
    if len(ranked) <= top + 1:
        return Colouring(column, names, None, [(g, counts[g]) for g in ranked], 0.0, 0.0,
                         f"{column}: {len(ranked):,} values, each in its own colour.")
    keep = set(ranked[:top])
    groups = [g if g in keep else OTHER for g in names]
    rest = len(names) - sum(counts[g] for g in ranked[:top])
    return Colouring(column, groups, None, [(g, counts[g]) for g in ranked[:top]] + [(OTHER, rest)], 0.0, 0.0,
                     f"{column}: {len(ranked):,} values; the {top} most common each in its own colour, the other "
                     f"{len(ranked) - top:,} ({rest:,} points) grey as “{OTHER}”.")
