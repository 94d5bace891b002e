"""The examples people copy: the README's notebook snippet and the docstrings' examples run."""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
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


# Every module of the package, found rather than listed, so a new module's examples run too
# (``__main__`` is left out: importing it runs the command line).
MODULES = ["embedviz"] + sorted(f"embedviz.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "embedviz")])
                                if m.name != "__main__")


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module, enc):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
