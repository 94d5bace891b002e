"""How a text becomes tokens.

>>> import embedviz as ev
>>> t = ev.load_encoder().tokenize("Here is the sentence I want embeddings for.")
>>> t.tokens[7:11]
['em', '##bed', '##ding', '##s']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .limits import MAX_WORD_CHARS

INVISIBLE = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]+")


def check_text(text: str | None, *, what: str = "text") -> str:
    """Return ``text`` stripped, or raise :class:`InputError` with a plain-words reason."""
    if text is None or not text.strip():
        raise InputError(f"The {what} is empty: type one." if what != "text" else
                         "The text is empty: type a sentence to see its tokens.")
    if not INVISIBLE.sub("", text):
        raise InputError(f"The {what} holds only invisible characters (zero-width spaces, direction marks).")
    return text.strip()


@dataclass(frozen=True)
class Tokenization:
    """One tokenized input (a sentence, or a pair of sentences).

    All lists have one entry per token. ``word_ids[i]`` numbers the words of the whole input
    (both segments) from 0, and is ``-1`` for special tokens; ``spans[i]`` is the (start, end)
    of the token in its own segment's text.
    """

    text: str
    pair: str | None
    tokens: list[str]
    ids: list[int]
    segment_ids: list[int]
    attention_mask: list[int]
    special: list[bool]
    word_ids: list[int]
    spans: list[tuple[int, int]]
    n_tokens_untruncated: int
    max_length: int
    words: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def truncated(self) -> bool:
        return self.n_tokens_untruncated > len(self.tokens)

    def word_of(self, i: int) -> str:
        """The whole word that token ``i`` belongs to (the token itself for special tokens)."""
        w = self.word_ids[i]
        return self.tokens[i] if w < 0 else self.words[w]

    def rows(self) -> list[dict]:
        """A table: one dict per token (for a data frame or a CSV)."""
        return [
            {
                "index": i,
                "token": t,
                "id": self.ids[i],
                "segment": self.segment_ids[i],
                "mask": self.attention_mask[i],
                "special": self.special[i],
                "word": self.word_of(i),
                "span": f"{self.spans[i][0]}-{self.spans[i][1]}",
            }
            for i, t in enumerate(self.tokens)
        ]


def tokenize(tokenizer, text: str, pair: str | None = None, *, max_length: int) -> Tokenization:
    """Tokenize ``text`` (and ``pair``) the way the encoder sees it, truncated to ``max_length``."""
    text = check_text(text)
    pair = check_text(pair, what="second sentence") if pair else None
    options = dict(add_special_tokens=True, return_offsets_mapping=True, return_special_tokens_mask=True,
                   return_token_type_ids=True)
    enc = tokenizer(text, pair, truncation=False, **options)
    n_full = len(enc["input_ids"])
    if n_full > max_length:  # only long texts pay for a second, truncating pass
        enc = tokenizer(text, pair, truncation="longest_first", max_length=max_length, **options)
    ids = list(enc["input_ids"])
    seq_ids = enc.sequence_ids()
    raw_words = enc.word_ids()
    offsets = [tuple(o) for o in enc["offset_mapping"]]
    word_index: dict[tuple[int, int], int] = {}
    word_spans: dict[int, list[int]] = {}
    word_ids = []
    for i, (s, w) in enumerate(zip(seq_ids, raw_words)):
        if s is None or w is None:
            word_ids.append(-1)
            continue
        k = word_index.setdefault((s, w), len(word_index))
        word_ids.append(k)
        lo, hi = offsets[i]
        span = word_spans.setdefault(k, [lo, hi, s])
        span[0], span[1] = min(span[0], lo), max(span[1], hi)
    sources = [text, pair or ""]
    words = [sources[s][lo:hi] for lo, hi, s in (word_spans[k] for k in range(len(word_index)))]
    segment_ids = list(enc.get("token_type_ids") or [0 if s in (None, 0) else 1 for s in seq_ids])
    return Tokenization(
        text=text,
        pair=pair,
        tokens=tokenizer.convert_ids_to_tokens(ids),
        ids=ids,
        segment_ids=segment_ids,
        attention_mask=list(enc["attention_mask"]),
        special=[bool(x) for x in enc["special_tokens_mask"]],
        word_ids=word_ids,
        spans=offsets,
        n_tokens_untruncated=n_full,
        max_length=max_length,
        words=words,
    )


@dataclass(frozen=True)
class SplitStep:
    """One step of WordPiece's greedy longest match: at ``start``, the longest piece found."""

    start: int
    piece: str
    rest: str
    tried: int


def wordpiece_steps(vocab: dict[str, int], word: str, *, lowercase: bool = True,
                    unk: str = "[UNK]", prefix: str = "##") -> list[SplitStep]:
    """Explain how WordPiece splits one word: the greedy longest-match-first steps.

    At each position the longest vocabulary entry that starts there is taken (with ``##`` in front
    when it is not the start of the word); ``tried`` counts the candidates checked. If no piece
    matches, or the word is longer than BERT reads (:data:`~embedviz.limits.MAX_WORD_CHARS`), the
    whole word becomes ``[UNK]``, as in BERT.
    """
    if lowercase:
        word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
    if len(word) > MAX_WORD_CHARS:
        return [SplitStep(0, unk, "", 0)]
    steps, start = [], 0
    while start < len(word):
        end, tried, piece = len(word), 0, None
        while end > start:
            cand = (prefix if start > 0 else "") + word[start:end]
            tried += 1
            if cand in vocab:
                piece = cand
                break
            end -= 1
        if piece is None:
            return [SplitStep(0, unk, "", tried)]
        steps.append(SplitStep(start, piece, word[end:], tried))
        start = end
    return steps


@dataclass(frozen=True)
class WordSplit:
    """One word of a text as the tokenizer's pre-tokenizer cut it, and WordPiece's steps on it."""

    word: str
    span: tuple[int, int]  # characters of the normalised text
    steps: list[SplitStep]


MAX_SPLIT_CHARS = 1000  # the "how a word splits" box explains a few words, not a document


def split_words(tokenizer, text: str) -> tuple[str, list[WordSplit]]:
    """How ``tokenizer`` splits ``text``: first normalisation (lowercase, accents) and
    pre-tokenisation (spaces and punctuation), then WordPiece's greedy longest match on each word.
    Returns (the normalised text, one :class:`WordSplit` per word); the pieces are the tokenizer's own."""
    text = check_text(text, what="word")
    if len(text) > MAX_SPLIT_CHARS:
        raise InputError(f"That is {len(text):,} characters; this explains at most {MAX_SPLIT_CHARS:,} "
                         "(use the sentence box above for longer text).")
    backend = tokenizer.backend_tokenizer
    norm = backend.normalizer.normalize_str(text) if backend.normalizer else text
    words = backend.pre_tokenizer.pre_tokenize_str(norm) if backend.pre_tokenizer else [(norm, (0, len(norm)))]
    vocab = tokenizer.get_vocab()
    unk = tokenizer.unk_token or "[UNK]"
    return norm, [WordSplit(w, span, wordpiece_steps(vocab, w, lowercase=False, unk=unk)) for w, span in words]


UNUSED = re.compile(r"^\[unused\d+\]$|^<unused\d+>$")


def vocab_kind(token: str, special: set[str]) -> str:
    """Classify a vocabulary entry: special, unused, piece (``##``), or word."""
    if token in special:
        return "special"
    if UNUSED.match(token):
        return "unused"
    if token.startswith("##"):
        return "piece"
    return "word"


def vocab_table(vocab: dict[str, int], special: set[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vocabulary as arrays sorted by id: (ids, tokens, kinds)."""
    items = sorted(vocab.items(), key=lambda kv: kv[1])
    ids = np.array([i for _, i in items])
    toks = np.array([t for t, _ in items], dtype=object)
    kinds = np.array([vocab_kind(t, special) for t in toks], dtype=object)
    return ids, toks, kinds


def search_vocab(tokens: np.ndarray, query: str, *, mode: str = "prefix") -> np.ndarray:
    """Positions of vocabulary entries matching ``query`` by ``prefix``, ``substring`` or ``exact``."""
    q = query.strip().lower()
    if not q:
        return np.arange(0)
    if mode == "prefix":
        hit = [t.lower().startswith(q) for t in tokens]
    elif mode == "substring":
        hit = [q in t.lower() for t in tokens]
    elif mode == "exact":
        hit = [t.lower() == q for t in tokens]
    else:
        raise InputError(f"Unknown search mode {mode!r}: use prefix, substring or exact.")
    return np.flatnonzero(hit)
