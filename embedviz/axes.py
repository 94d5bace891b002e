"""Directions made of words: axes you can name, as the Embedding Projector's custom projection.

An axis runs from one pole to another, each pole a word or a few words (or phrases): "man" -> "woman",
"bad, awful, terrible" -> "good, great, excellent". Its direction is the mean of the second pole's unit
vectors minus the mean of the first's, scaled to length 1; a point's coordinate on it is the cosine of
the point with that direction. Whether a spread along an axis means anything is judged against axes
made of random pairs of words (:func:`axis_spread`).

>>> import embedviz as ev
>>> vecs = ev.load_vectors()
>>> xy = vecs.on_axes(["king", "queen"], x=("man", "woman"), y=("bad", "good"))
>>> xy.shape, bool(xy[1, 0] > xy[0, 0])          # queen lies further towards "woman" than king
((2, 2), True)
>>> s = ev.axis_spread(vecs.unit[vecs.require(["he", "she", "king", "queen", "boy", "girl"])],
...                    vecs.on_axes(["he", "she", "king", "queen", "boy", "girl"], x=("man", "woman")),
...                    pool=vecs.unit[:5000])
>>> s[0].share_random_wider < 0.05              # few random word-pair axes spread these words as widely
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import InputError

Pole = str | Sequence[str]
PoleSpec = tuple[Pole, Pole]

# Axes that teach something: each pole a few words, so that no one word's quirks make the axis.
PRESETS: dict[str, PoleSpec] = {
    "gender": (("man", "he", "boy", "male"), ("woman", "she", "girl", "female")),
    "size": (("small", "tiny", "little"), ("big", "large", "huge")),
    "sentiment": (("bad", "awful", "terrible"), ("good", "great", "excellent")),
    "past vs future": (("yesterday", "past", "ago", "was"), ("tomorrow", "future", "soon", "will")),
}
DEFAULT_X: PoleSpec = ("man", "woman")
DEFAULT_Y: PoleSpec = ("bad", "good")


def pole_words(pole: Pole) -> list[str]:
    """The words (or phrases) of a pole: a string (comma-separated for several) or a list of them."""
    items = pole.split(",") if isinstance(pole, str) else list(pole)
    words = [w.strip() for w in items if w and w.strip()]
    if not words:
        raise InputError("An axis end is empty: type a word (or a few, separated by commas) for each end.")
    return words


def poles(spec: PoleSpec) -> tuple[list[str], list[str]]:
    """The two poles of an axis as word lists: ``("man", "woman")`` or ``(["small", "tiny"], "big, large")``."""
    if isinstance(spec, str) or len(spec) != 2:
        raise InputError("An axis needs two ends, such as ('man', 'woman').")
    return pole_words(spec[0]), pole_words(spec[1])


def axis_name(spec: PoleSpec) -> str:
    """``man → woman``; a pole of several words shows its first and how many more."""
    def short(words: list[str]) -> str:
        return words[0] if len(words) == 1 else f"{words[0]} (+{len(words) - 1})"
    a, b = poles(spec)
    return f"{short(a)} → {short(b)}"


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def direction(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The unit direction from pole ``a`` to pole ``b`` (each ``[k, dim]``, one row per word):
    ``d = mean(unit(b)) - mean(unit(a))``, scaled to length 1."""
    d = _unit(b).mean(axis=0) - _unit(a).mean(axis=0)
    n = np.linalg.norm(d)
    if n < 1e-9:
        raise InputError("The two ends of an axis are the same: choose two different words.")
    return d / n


def on_directions(points: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Coordinates ``[n, k]`` of ``points`` ``[n, dim]`` on unit ``directions`` ``[k, dim]``:
    ``res[i][j] = points[i] / |points[i]| · directions[j]``, the cosine of point i with direction j."""
    return (_unit(points) @ np.atleast_2d(directions).T).astype(np.float32)


@dataclass(frozen=True)
class AxisSpread:
    """How widely the points spread along an axis, against axes made of random word pairs.

    ``spread``: the standard deviation of the points' coordinates on the axis; ``random``: the same for
    ``n`` random directions, each from one random word (or point) of a pool to another;
    ``share_random_wider``: the share of those at least as wide (small: the axis sorts these points
    more than chance does).
    """

    spread: float
    random: np.ndarray

    @property
    def share_random_wider(self) -> float:
        return float((self.random >= self.spread).mean())

    def describe(self, name: str) -> str:
        share = self.share_random_wider
        verdict = ("wider than almost any random axis" if share < 0.05 else
                   "no wider than a typical random axis" if share > 0.3 else "wider than most random axes")
        return (f"Along {name} the points spread {self.spread:.3f} (standard deviation of the cosine); "
                f"{share:.0%} of {len(self.random)} axes made of random word pairs spread them as widely "
                f"(median {np.median(self.random):.3f}): {verdict}.")


def axis_spread(points: np.ndarray, coords: np.ndarray, *, pool: np.ndarray | None = None, n_random: int = 200,
                random_state: int = 0) -> list[AxisSpread]:
    """For each column of ``coords`` ``[n, k]`` (the ``points`` ``[n, dim]`` on k axes), the spread and
    its random baseline: ``points`` on ``n_random`` directions each from one random row of ``pool``
    (default ``points``) to another, made as :func:`direction` makes an axis."""
    pool = points if pool is None else pool
    pool_u = _unit(pool)
    if len(pool_u) < 2:
        raise InputError("A random baseline needs at least two words or points.")
    rng = np.random.default_rng(random_state)
    i = rng.integers(0, len(pool_u), n_random)
    j = (i + rng.integers(1, len(pool_u), n_random)) % len(pool_u)  # never the same row twice
    dirs = _unit(pool_u[j] - pool_u[i])
    rand = on_directions(points, dirs).std(axis=0)
    coords = np.atleast_2d(np.asarray(coords, dtype=np.float64))
    return [AxisSpread(float(coords[:, c].std()), rand) for c in range(coords.shape[1])]


def static_directions(vecs, *axes: PoleSpec) -> np.ndarray:
    """``[len(axes), dim]``: the unit direction of each axis in a static table ``vecs``."""
    out = []
    for spec in axes:
        a, b = poles(spec)
        out.append(direction(vecs.unit[vecs.require(a)], vecs.unit[vecs.require(b)]))
    return np.stack(out)


def pole_vectors(encoder, words: list[str], *, layer: int | None = None, strategy: str | None = None) -> np.ndarray:
    """``[len(words), hidden]``: each word or phrase embedded on its own by ``encoder``: at ``layer``, the
    mean of its tokens (special tokens left out), as tokens in context are; or, with ``strategy``, as a
    sentence vector (``encoder.sentence_vectors``), as rows of a corpus are."""
    if (layer is None) == (strategy is None):
        raise InputError("Embed the axis ends at a layer or by a sentence strategy (one of the two).")
    if strategy is not None:
        return encoder.sentence_vectors(words, strategy)
    if not 0 <= layer <= encoder.num_layers:
        raise InputError(f"Layer {layer} does not exist: {encoder.name} has layers 0 to {encoder.num_layers}.")
    out = []
    for hs in encoder.hidden_states_many(words):
        keep = [i for i, s in enumerate(hs.tokenization.special) if not s]
        out.append(hs.array[layer, keep].mean(axis=0))
    return np.stack(out)


def encoder_directions(encoder, *axes: PoleSpec, layer: int | None = None, strategy: str | None = None) -> np.ndarray:
    """``[len(axes), hidden]``: the unit direction of each axis, its poles embedded by ``encoder`` at
    ``layer`` (for tokens in context) or by sentence ``strategy`` (for rows)."""
    out = []
    for spec in axes:
        a, b = poles(spec)
        out.append(direction(pole_vectors(encoder, a, layer=layer, strategy=strategy),
                             pole_vectors(encoder, b, layer=layer, strategy=strategy)))
    return np.stack(out)
