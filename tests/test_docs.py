"""The examples people copy: the README's notebook snippet and the docstrings' examples run."""

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_notebook_snippet_runs(enc):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## From a notebook"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["hs"].array.shape == (7, 22, 384)
    assert scope["vecs"].analogy("man", "king", "woman")[0][0] == "queen"
    assert len(scope["vmap"]) == 400_000 and len(scope["sel"]) > 100
    assert scope["att"].tokens[6] == "bank"


def test_the_notebook_api_works_from_any_folder(tmp_path):
    """The README's set-up installs the package: a notebook elsewhere imports it (this failed with
    ModuleNotFoundError when nothing installed it)."""
    import os
    import subprocess
    import sys

    code = "import embedviz as ev; print(ev.load_vectors().analogy('man', 'king', 'woman')[0][0])"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "queen", out.stderr[-2000:]


@pytest.mark.parametrize("module", ["embedviz", "embedviz.tokens", "embedviz.models", "embedviz.hidden",
                                    "embedviz.similarity", "embedviz.vectors", "embedviz.evaluation", "embedviz.projection",
                                    "embedviz.training", "embedviz.access", "embedviz.tour", "embedviz.story", "embedviz.maps",
                                    "embedviz.attention"])
def test_docstring_examples_run(module, enc):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
