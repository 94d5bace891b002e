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


@pytest.mark.parametrize("module", ["embedviz", "embedviz.tokens", "embedviz.models", "embedviz.hidden",
                                    "embedviz.similarity", "embedviz.vectors", "embedviz.evaluation", "embedviz.projection",
                                    "embedviz.training", "embedviz.access", "embedviz.report", "embedviz.maps",
                                    "embedviz.attention", "embedviz.corpus", "embedviz.cache", "embedviz.exports",
                                    "embedviz.jobs"])
def test_docstring_examples_run(module, enc):
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
