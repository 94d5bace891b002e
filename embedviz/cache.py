"""Bounded, thread-safe memoisation by argument value, for results every session may share.

Arguments may be numpy arrays, bytes, long strings and long lists (each keyed by a digest of its
contents, so a cache never keeps a visitor's input alive), tuples and dicts; returned numpy arrays
should be treated as read-only. Every memo is bounded in entries and in bytes.

>>> from embedviz.cache import memoize
>>> @memoize(maxsize=4, max_bytes=1000)
... def big(n):
...     return b"x" * n
>>> _ = big(10), big(5000)          # the second is larger than the whole memo: returned, not kept
>>> len(big.cache_keys()), big.cache_bytes() < 100
(1, True)
"""

from __future__ import annotations

import functools
import hashlib
import mmap
import sys
import threading
from collections import OrderedDict

import numpy as np

# Each memo holds at most this many bytes of results (a result larger than that is returned, not kept).
DEFAULT_MAX_BYTES = 256 * 2**20
_LONG = 256  # strings and sequences longer than this are keyed by a digest of their contents


def digest(data: bytes) -> str:
    """A short hex digest of ``data``: what a memo keys big arguments by, and a name for a build."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def freeze(x):
    """A hashable key for ``x``, by value: arrays, bytes, long strings and long lists by a digest of their
    contents (a key never keeps a visitor's input alive), an object with a ``memo_key`` by that."""
    if isinstance(x, np.ndarray):
        return ("nd", x.shape, str(x.dtype), digest(np.ascontiguousarray(x).tobytes()))
    if isinstance(x, (bytes, bytearray, memoryview)):
        return ("bytes", len(x), digest(bytes(x)))
    if isinstance(x, str):
        return x if len(x) <= _LONG else ("str", len(x), digest(x.encode("utf-8", "surrogatepass")))
    if isinstance(x, (list, tuple)):
        items = tuple(freeze(v) for v in x)
        if len(items) > 16 and all(isinstance(v, (str, int, float, bool, type(None), tuple)) for v in items):
            return ("seq", len(items), digest(repr(items).encode("utf-8", "surrogatepass")))
        return items
    if isinstance(x, dict):  # order kept: it can decide the result (the order of a figure's traces)
        return ("dict",) + tuple((k, freeze(v)) for k, v in x.items())
    if isinstance(x, (set, frozenset)):
        return ("set",) + tuple(sorted(map(repr, x)))
    key = getattr(x, "memo_key", None)
    if key is not None:  # a big object (an encoder) keyed by what it is, so the cache does not keep it alive
        return key
    if callable(x):
        return None  # progress callbacks do not change the result
    return x


def _on_disk(a: np.ndarray) -> bool:
    while a is not None:
        if isinstance(a, np.memmap):
            return True
        a = a.base
        if isinstance(a, mmap.mmap):
            return True
        if not isinstance(a, np.ndarray):
            return False
    return False


def nbytes(x, _seen: set | None = None, _depth: int = 0) -> int:
    """About how many bytes of memory ``x`` holds: arrays (not memory-mapped ones, whose pages the
    OS shares and drops), strings, and the containers and objects around them."""
    seen = _seen if _seen is not None else set()
    if id(x) in seen or _depth > 8:
        return 0
    seen.add(id(x))
    if isinstance(x, np.ndarray):
        return 0 if _on_disk(x) else int(x.nbytes)
    if isinstance(x, (str, bytes, bytearray, int, float, bool, type(None))):
        return sys.getsizeof(x)
    if isinstance(x, dict):
        return sys.getsizeof(x) + sum(nbytes(k, seen, _depth + 1) + nbytes(v, seen, _depth + 1) for k, v in x.items())
    if isinstance(x, (list, tuple, set, frozenset)):
        return sys.getsizeof(x) + sum(nbytes(v, seen, _depth + 1) for v in x)
    if callable(x) and not hasattr(x, "__dict__"):
        return 0
    inner = getattr(x, "__dict__", None)
    if inner is not None:
        return sys.getsizeof(x) + nbytes(inner, seen, _depth + 1)
    slots = getattr(type(x), "__slots__", ())
    return sys.getsizeof(x) + sum(nbytes(getattr(x, s, None), seen, _depth + 1) for s in slots)


def memoize(maxsize: int = 64, max_bytes: int | None = DEFAULT_MAX_BYTES):
    """Cache a pure function's results by the value of its arguments: least recently used first out,
    at most ``maxsize`` entries and ``max_bytes`` bytes of results (None: entries only, for results
    that are memory-mapped or few and shared by design)."""
    def wrap(fn):
        store: OrderedDict = OrderedDict()
        sizes: dict = {}
        lock = threading.Lock()

        @functools.wraps(fn)
        def inner(*args, **kwargs):
            key = (freeze(args), freeze(kwargs))
            with lock:
                if key in store:
                    store.move_to_end(key)
                    return store[key]
            value = fn(*args, **kwargs)
            size = nbytes(value) if max_bytes is not None else 0
            if max_bytes is not None and size > max_bytes:
                return value  # larger than the whole memo: handed back, not kept
            with lock:
                store[key] = value
                sizes[key] = size
                while len(store) > maxsize or (max_bytes is not None and sum(sizes.values()) > max_bytes):
                    old, _ = store.popitem(last=False)
                    sizes.pop(old, None)
            return value

        def clear():
            with lock:
                store.clear()
                sizes.clear()

        inner.cache_clear = clear
        inner.cache_bytes = lambda: sum(sizes.values())
        inner.cache_keys = lambda: list(store)
        return inner
    return wrap
