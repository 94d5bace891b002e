"""Which model turns a corpus's rows into vectors: the encoder, or a static model distilled from it.

A static model holds one vector per token of the encoder's vocabulary, distilled once from the
encoder with model2vec (each token run through the encoder on its own, the table reduced by PCA to
256 numbers and weighted by the token's frequency rank); a row's vector is then the mean of its
tokens' vectors, with no transformer run per row: about 26,000 rows a second against the encoder's
150 on two cores, for neighbours that agree less with the encoder's (:func:`neighbour_agreement`
measures how much). It is built once per encoder (tens of seconds), kept in the cache folder
(``static/``, written atomically, keyed by the encoder's files) and shared by every process.

A model is asked for by its spec, the one string a map folder records: an encoder's name (``None``
for the default), or ``static`` (distilled from the default encoder), or ``static:NAME``
(distilled from the encoder NAME). :func:`load_embedder` turns a spec into the Encoder or the
:class:`StaticEmbedder`; both answer ``sentence_vectors(texts, strategy)``, so
:func:`embedviz.embed.embed_batch` runs either.

>>> from embedviz.static_model import parse_spec, embedder_name
>>> parse_spec("static:bundled")
('static', 'bundled: all-MiniLM-L6-v2')
>>> embedder_name("static:bundled")
'static, distilled from all-MiniLM-L6-v2'
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .disk import atomic_write, cache_dir
from .errors import InputError
from .jobs import IMPORTS
from .progress import Progress, reporter

STATIC = "static"
PCA_DIMS = 256
QUALITY_ROWS = 2000  # docstring rows the neighbour agreement is measured on (the corpus has ~1,900)
QUALITY_K = 10
UNUSED = re.compile(r"\[unused\d+\]")  # BERT's placeholder tokens, never in text: left out of the table
BUILD_COST_S = 180.0  # seconds a build takes on two busy cores (measured 17 s idle, 2-6 min busy): the slow lane


OWN_VECTORS = "your own vectors"  # what a map made of vectors a corpus brought records as its model


def parse_spec(spec: str | None) -> tuple[str, str]:
    """``("encoder", name)`` or ``("static", name of the encoder it is distilled from)``, names
    resolved: ``None``, ``""`` and ``static`` without a name mean the default encoder."""
    from .models import BUNDLED, default_model_name

    spec = (spec or "").strip()
    kind, _, rest = spec.partition(":")
    if kind.strip() == STATIC:
        kind, name = STATIC, rest.strip()
    else:
        kind, name = "encoder", spec
    name = name or default_model_name()
    return kind, BUNDLED if name == "bundled" else name


def embedder_spec(spec: str | None) -> str:
    """The spec a map records: every spelling of one model the same string (``static`` becomes
    ``static:`` and the default encoder's name, so the map still names it when the default changes)."""
    kind, name = parse_spec(spec)
    return f"{STATIC}:{name}" if kind == STATIC else name


def embedder_name(spec: str | None) -> str:
    """What a person reads: the encoder's name, or ``static, distilled from`` it."""
    from .models import BUNDLED

    kind, name = parse_spec(spec)
    if kind != STATIC:
        return name
    return f"static, distilled from {name.removeprefix(BUNDLED.split(':')[0] + ': ')}"


def embedder_unavailable(spec: str | None) -> str | None:
    """Why the model ``spec`` cannot be had here, found without loading or building it; None when it can."""
    from .models import ModelLoadError, model_source

    _, name = parse_spec(spec)
    try:
        model_source(name)
    except ModelLoadError as e:
        return str(e)
    return None


def check_embedder(spec: str | None, strategy: str = "model") -> None:
    """Raise :class:`~embedviz.InputError` in words when the model ``spec`` is not available here, or
    cannot make the sentence vector ``strategy`` (a static model has one: ``model``)."""
    why = embedder_unavailable(spec)
    if why:
        raise InputError(f"{embedder_name(spec)} cannot be used here: {why}")
    if parse_spec(spec)[0] == STATIC and strategy != "model":
        raise InputError(f"{embedder_name(spec)} has one sentence vector, the mean of its token vectors (strategy "
                         f"model); {strategy!r} is a choice of the encoder's.")


def load_embedder(spec: str | None = None, *, progress: Progress | None = None):
    """The model ``spec`` names (see :func:`parse_spec`): the :class:`~embedviz.Encoder` (loaded once per
    process), or the :class:`StaticEmbedder` distilled from it (built once, then read from the cache).
    Raises :class:`~embedviz.ModelLoadError` in words when the encoder is not available here."""
    from .models import load_encoder

    kind, name = parse_spec(spec)
    return static_embedder(name, progress=progress) if kind == STATIC else load_encoder(name, progress=progress)


@dataclass(frozen=True)
class NeighbourAgreement:
    """How far a model's row neighbours agree with the encoder's on ``rows`` docstrings: ``overlap``,
    the mean share of each row's ``k`` nearest rows both find; ``chance``, what two unrelated models
    would share (``k / (rows - 1)``); and each model's measured speed in rows per second."""

    rows: int
    k: int
    overlap: float
    chance: float
    rows_per_s: float
    encoder_rows_per_s: float

    def sentence(self) -> str:
        return (f"its {self.k} nearest rows agree with the encoder's for {self.overlap:.0%} of them on average "
                f"(chance: {self.chance:.1%}), at {self.rows_per_s:,.0f} rows/s against the encoder's "
                f"{self.encoder_rows_per_s:,.0f}: measured when it was built here, on a reference set of "
                f"{self.rows:,} docstrings, not on your rows")


class StaticEmbedder:
    """A static model: ``sentence_vectors(texts)`` ``[len(texts), dim]`` float32, each row the unit
    mean of its tokens' vectors (the whole row is read: a static model has no length limit)."""

    batch_rows = 4096  # rows a batch of :func:`~embedviz.embed.embed_rows` holds: a batch costs milliseconds

    def __init__(self, model, encoder_name: str, folder: Path, quality: NeighbourAgreement | None = None):
        if model.embedding.dtype == np.float16:  # kept as float16 on disk; numpy's float16 means are ~2x slower
            model.embedding = model.embedding.astype(np.float32)
        self.model, self.encoder_name, self.folder, self.quality = model, encoder_name, folder, quality
        self.spec = f"{STATIC}:{encoder_name}"
        self.name = embedder_name(self.spec)
        self.hidden_size = int(model.dim)
        self.memo_key = ("static", str(folder))  # memoised results key on this (see cache.py)
        self.lock = threading.Lock()  # encode sets the tokenizer's truncation: one call at a time

    def __repr__(self) -> str:
        return f"StaticEmbedder({self.name!r}, dim={self.hidden_size})"

    def sentence_vectors(self, texts: list[str], strategy: str = "model") -> np.ndarray:
        """One vector per text ``[len(texts), dim]`` float32, row i for ``texts[i]``. A static model has
        one sentence vector, the mean of its token vectors: ``strategy`` must be ``model``."""
        if strategy != "model":
            raise InputError(f"{self.name} has one sentence vector, the mean of its token vectors (strategy model); "
                             f"{strategy!r} is a choice of the encoder's.")
        if not texts:
            return np.zeros((0, self.hidden_size), np.float32)
        with self.lock:
            vecs = self.model.encode(list(texts), max_length=None, use_multiprocessing=False, batch_size=4096)
        return np.asarray(vecs, dtype=np.float32)

    def sentence_vector(self, text: str, strategy: str = "model") -> np.ndarray:
        """:meth:`sentence_vectors` of one text: ``[dim]``."""
        return self.sentence_vectors([text], strategy)[0]

    def on_axes(self, points: np.ndarray, *, x=("man", "woman"), y=("bad", "good"), strategy: str | None = "model",
                layer: int | None = None) -> np.ndarray:
        """``[n, 2]``: rows ``points`` on the axes ``x`` and ``y``, their ends embedded as rows are."""
        from .axes import encoder_directions, on_directions

        if layer is not None:
            raise InputError(f"{self.name} has no layers; put rows on axes.")
        return on_directions(points, encoder_directions(self, x, y, strategy=strategy or "model"))


_MODELS: dict[str, StaticEmbedder] = {}
_LOCK = threading.Lock()


def _key(name: str, source: str) -> str:
    """The cache folder's name: a digest of the encoder's source and its files (size, time), model2vec's
    version and the PCA size; another encoder, or new weights in the same folder, build anew."""
    from importlib.metadata import version

    from .cache import digest

    files = []
    src = Path(source)
    if src.is_dir():
        for p in sorted(src.iterdir()):
            if p.suffix in (".json", ".safetensors", ".txt") and p.is_file():
                st = p.stat()
                files.append((p.name, st.st_size, st.st_mtime_ns))
    ident = [name, str(src.resolve()) if src.is_dir() else source, files, version("model2vec"), PCA_DIMS]
    return digest(json.dumps(ident).encode())[:16]


def static_embedder(encoder: str | None = None, *, progress: Progress | None = None) -> StaticEmbedder:
    """The static model distilled from ``encoder`` (None: the default): read from the cache folder,
    or built there once (through the shared build queue, :data:`embedviz.jobs.BUILDS`, and a file lock,
    so one build serves every session and process), with progress."""
    from .jobs import BUILDS

    _, name = parse_spec(f"{STATIC}:{encoder or ''}")
    folder = _folder(name)  # ModelLoadError, in words, when the encoder is not available here
    key = folder.name
    with _LOCK:
        if key in _MODELS:
            return _MODELS[key]
    if not (folder / "about.json").is_file():
        BUILDS.run(f"static:{key}", lambda p: _build_once(name, folder, p), cost=BUILD_COST_S,
                   label=f"the {embedder_name(STATIC + ':' + name)} model", progress=progress)
    sm = _read(folder, name)
    with _LOCK:
        return _MODELS.setdefault(key, sm)


def _folder(name: str) -> Path:
    from .models import model_source

    return cache_dir() / "static" / _key(name, model_source(name))


def static_quality(encoder: str | None = None) -> NeighbourAgreement | None:
    """What the static model distilled from ``encoder`` (None: the default) measured of itself when it
    was built (:func:`neighbour_agreement`), read without building it; None when it is not built here."""
    from .models import ModelLoadError

    _, name = parse_spec(f"{STATIC}:{encoder or ''}")
    try:
        about = json.loads((_folder(name) / "about.json").read_text())
        return NeighbourAgreement(**about["quality"])
    except (ModelLoadError, OSError, ValueError, KeyError, TypeError):
        return None


def map_model(about: dict) -> tuple[str | None, str]:
    """(spec, sentence strategy) of the model that made a map's vectors, from its ``about.json``
    (older maps: ``default`` is the default encoder; strategy ``model`` when not recorded); spec None
    when the map does not say."""
    model = about.get("model")
    strategy = about.get("strategy") if isinstance(about.get("strategy"), str) else "model"
    if not isinstance(model, str) or not model.strip() or model.startswith(OWN_VECTORS):
        return None, strategy
    return embedder_spec(None if model == "default" else model), strategy


def _read(folder: Path, name: str) -> StaticEmbedder:
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        from model2vec import StaticModel

    about = json.loads((folder / "about.json").read_text())
    q = about.get("quality")
    model = StaticModel.from_pretrained(folder, force_download=False)
    return StaticEmbedder(model, name, folder, NeighbourAgreement(**q) if isinstance(q, dict) else None)


def _build_once(name: str, folder: Path, progress: Progress) -> None:
    """Build into a folder of its own, renamed into place when complete, under a file lock: another
    process building the same model is waited for, and its folder used."""
    import fcntl

    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        progress(0.0, "Waiting for another process building the same static model")
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "about.json").is_file():
            return
        tmp = folder.parent / f"{folder.name}.building"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            _build(name, tmp, progress)
            shutil.rmtree(folder, ignore_errors=True)  # a half folder from before about.json existed
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def distil_progress(done: int, tokens: int, encoder: str, seconds: float) -> str:
    """The distillation's progress in words: ``done`` of ``tokens`` through ``encoder`` in ``seconds``,
    the rate and the time left at that rate."""
    rate = done / max(seconds, 1e-9)
    return (f"Distilling the static model: {done:,} of {tokens:,} tokens through {encoder}, {rate:,.0f} tokens/s, "
            f"about {(tokens - done) / max(rate, 1e-9):,.0f} s left")


def _build(name: str, out: Path, progress: Progress) -> None:
    """Distil ``name`` with model2vec, offline, from the encoder's own safe loading (safetensors only,
    never remote code), then measure it (:func:`neighbour_agreement`) and save it all in ``out``."""
    import math

    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch
        from model2vec.distill import distill_from_model
        from transformers import AutoModel, AutoTokenizer

    from .models import load_encoder

    step = reporter(progress)
    enc = load_encoder(name, progress=lambda f, m: step(0.02 * f, m))
    # A copy of the weights: model2vec may reshape the model's embedding table, and the loaded encoder is shared
    model = AutoModel.from_pretrained(enc.source, trust_remote_code=False, use_safetensors=True)
    tokenizer = AutoTokenizer.from_pretrained(enc.source, trust_remote_code=False)  # not the shared one: not thread-safe
    tokens = sum(not UNUSED.fullmatch(t) for t in tokenizer.get_vocab())  # model2vec leaves [unused0]... out
    batches = math.ceil(tokens / 256)  # and runs the rest 256 tokens at a time
    done, t0 = [0], time.perf_counter()

    def tick(*_):
        done[0] += 1
        step(0.02 + 0.68 * min(done[0] / batches, 1.0),
             distil_progress(min(done[0] * 256, tokens), tokens, enc.name, time.perf_counter() - t0))

    model.register_forward_hook(tick)
    with torch.inference_mode():
        sm = distill_from_model(model=model, tokenizer=tokenizer, pca_dims=PCA_DIMS, device="cpu",
                                token_remove_pattern=UNUSED.pattern)
    out.mkdir(parents=True)
    sm.save_pretrained(out)
    emb = StaticEmbedder(sm, name, out)
    step(0.7, "Measuring how far its neighbours agree with the encoder's")
    quality = neighbour_agreement(emb, enc, progress=lambda f, m: step(0.7 + 0.3 * f, m))
    about = {"encoder": name, "name": emb.name, "pca_dims": PCA_DIMS, "quality": quality.__dict__}
    atomic_write(out / "about.json", lambda f: f.write(json.dumps(about, indent=1).encode()))


def neighbour_agreement(model, reference, *, rows: int = QUALITY_ROWS, k: int = QUALITY_K,
                        progress: Progress | None = None) -> NeighbourAgreement:
    """How well ``model``'s row neighbours agree with ``reference``'s (the encoder, strategy ``model``)
    on up to ``rows`` standard-library docstrings (:func:`embedviz.examples.docstring_corpus`): the
    mean of :func:`~embedviz.compare.neighbour_overlap` at ``k``, beside chance
    (:func:`~embedviz.compare.chance_overlap`) and each model's rows per second on those rows."""
    import time

    from .compare import chance_overlap, neighbour_overlap
    from .embed import embed_rows
    from .examples import docstring_corpus
    from .rows import read_corpus

    texts = read_corpus(docstring_corpus(rows), "docstrings.csv", text_column="text").texts
    step = reporter(progress)
    t = time.perf_counter()
    ref, _ = embed_rows(reference, texts, progress=lambda f, m: step(0.95 * f, m))
    ref_s = time.perf_counter() - t
    t = time.perf_counter()
    ours, _ = embed_rows(model, texts, batch=len(texts))
    ours_s = time.perf_counter() - t
    step(1.0, "Measured")
    return NeighbourAgreement(len(texts), k, float(neighbour_overlap(ours, ref, k).mean()), chance_overlap(len(texts), k),
                     len(texts) / max(ours_s, 1e-9), len(texts) / max(ref_s, 1e-9))


def forget() -> None:
    """Drop the static models this process holds (the next call reads them from disk again)."""
    with _LOCK:
        _MODELS.clear()
