"""The examples people copy: the README's notebook snippet and the docstrings' examples run."""

import doctest
import importlib
import pkgutil
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


# Every module of the package, found rather than listed, so a new module's examples run too
# (``__main__`` is left out: importing it runs the command line).
MODULES = ["embedviz"] + sorted(f"embedviz.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "embedviz")])
                                if m.name != "__main__")


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module, enc):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
