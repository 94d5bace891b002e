"""What the AppTest page tests share: run a page (with link values), check it has no error, read a
chart's plotly spec."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def run(path, timeout=180, **params):
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def ok(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def spec(at, i=0):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def values(v):
    """Plotly's JSON writes numpy arrays as typed arrays ({"dtype", "bdata"}); read them back."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return v
