import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.pop("EMBEDVIZ_MODEL", None)
os.environ.pop("EMBEDVIZ_ALLOWED_MODELS", None)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the tests' shared helpers: pagetest, plotly_gestures

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory):
    os.environ["EMBEDVIZ_CACHE"] = str(tmp_path_factory.mktemp("embedviz-cache"))


@pytest.fixture(autouse=True)
def _notebook_access():
    """Each test starts as a notebook does (every path readable); a page run through AppTest declares
    that it serves visitors, and that must not leak into the next test."""
    from embedviz import access

    yield
    access.serve_visitors(False)


@pytest.fixture(scope="session")
def enc():
    import embedviz as ev

    return ev.load_encoder(ev.BUNDLED)


@pytest.fixture
def small_vectors():
    """A tiny random embedding with a planted analogy: king - man + woman = queen."""
    rng = np.random.default_rng(0)
    words = ["the", "man", "woman", "king", "queen", "apple", "pear", "car", "bus", "dog", "cat", "paris"]
    m = rng.normal(size=(len(words), 8)).astype(np.float32)
    i = {w: k for k, w in enumerate(words)}
    m[i["queen"]] = m[i["king"]] - m[i["man"]] + m[i["woman"]] + rng.normal(scale=0.01, size=8)
    return words, m
