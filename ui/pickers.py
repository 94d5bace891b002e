"""The pickers pages share: which sentence of several, and which token of a sentence. Their values
are the texts themselves ("2. He swung the baseball bat."), so a link or an edit never leaves one
naming a sentence or token that is gone: it falls back to the default."""

from __future__ import annotations

import streamlit as st

import embedviz as ev
from ui import pages


def pick_sentence(hs_list: list[ev.HiddenStates], name: str, *, label: str = "Sentence", container=st,
                  width: int = 80) -> int:
    """The index of the sentence picked (the first one when there is only one, with no picker)."""
    if len(hs_list) < 2:
        return 0
    names = [f"{i + 1}. {h.tokenization.text[:width]}" for i, h in enumerate(hs_list)]
    picked = container.selectbox(label, names, key=pages.key(name), bind="query-params")
    return names.index(picked) if picked in names else 0


def pick_token(tokens: list[str], name: str, *, label: str = "Token", positions: list[int] | None = None,
               prefer: str = "bank", container=st) -> int:
    """The position of the token picked among ``positions`` (default: all); it opens on the last
    ``prefer`` token (the river "bank" of the examples), else the first after [CLS]."""
    positions = list(range(len(tokens))) if positions is None else positions
    options = [f"{p}: {tokens[p]}" for p in positions]
    preferred = [o for o in options if o.endswith(f": {prefer}")]
    default = preferred[-1] if preferred else options[min(1, len(options) - 1)]
    picked = container.selectbox(label, options, index=options.index(default), key=pages.key(name), bind="query-params")
    return int((picked if picked in options else default).split(":")[0])
