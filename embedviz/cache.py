"""Bounded, thread-safe memoisation by argument value, for results every session may share.

Arguments may be numpy arrays (keyed by a digest of their bytes), lists, tuples and dicts;
returned numpy arrays should be treated as read-only.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

import numpy as np


def _freeze(x):
    if isinstance(x, np.ndarray):
        return ("nd", x.shape, str(x.dtype), hashlib.sha1(np.ascontiguousarray(x).tobytes()).hexdigest())
    if isinstance(x, (list, tuple)):
        return tuple(_freeze(v) for v in x)
    if isinstance(x, dict):  # order kept: it can decide the result (the order of a figure's traces)
        return ("dict",) + tuple((k, _freeze(v)) for k, v in x.items())
    if isinstance(x, (set, frozenset)):
        return ("set",) + tuple(sorted(map(repr, x)))
    key = getattr(x, "memo_key", None)
    if key is not None:  # a big object (an encoder) keyed by what it is, so the cache does not keep it alive
        return key
    if callable(x):
        return None  # progress callbacks do not change the result
    return x


def memoize(maxsize: int = 64):
    """Cache a pure function's results by the value of its arguments (LRU, ``maxsize`` entries)."""
    def wrap(fn):
        store: OrderedDict = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(fn)
        def inner(*args, **kwargs):
            key = (_freeze(args), _freeze(kwargs))
            with lock:
                if key in store:
                    store.move_to_end(key)
                    return store[key]
            value = fn(*args, **kwargs)
            with lock:
                store[key] = value
                while len(store) > maxsize:
                    store.popitem(last=False)
            return value

        inner.cache_clear = store.clear
        return inner
    return wrap
