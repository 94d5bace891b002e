"""embedviz: explore word embeddings visually, from the app or a notebook.

>>> import embedviz as ev
>>> enc = ev.load_encoder()
>>> hs = enc.hidden_states("The bank robber was seen fishing on the river bank.")
>>> vecs = ev.load_vectors()                 # GloVe 6B 50d, offline
>>> vecs.analogy("man", "king", "woman")[0][0]
'queen'
"""

from . import limits
from .access import serve_visitors
from .attention import Attention, Drift, attention_weights, same_word_vectors, token_drift
from .corpus import (
    CorpusMap,
    Rows,
    clusters,
    columns_of,
    corpus_map,
    embed_corpus,
    embed_rows,
    embed_rows_ray,
    iter_rows,
    map_corpus,
    map_key,
    nearest_rows,
    open_map,
    open_saved_map,
    read_corpus,
    read_corpus_text,
    rows_note,
    save_corpus_map,
    save_map,
)
from .evaluation import (
    AnalogyResult,
    WordPairResult,
    benchmark_file,
    evaluate_analogies,
    evaluate_word_pairs,
)
from .exports import safe_cell, safe_csv
from .hidden import (
    PIECE_POOLING,
    SENTENCE_STRATEGIES,
    WORD_STRATEGIES,
    HiddenStates,
    LayerStats,
    layer_points,
    layer_stats,
    pool_pieces,
    sentence_vector,
    token_points,
    word_vectors,
)
from .jobs import BUILDS, set_visitor
from .maps import Map, Neighbours, point_map, word_map
from .models import (
    BUNDLED,
    SUGGESTED,
    Encoder,
    ModelLoadError,
    allowed_models,
    default_model_name,
    load_encoder,
)
from .models import availability as model_availability
from .models import is_loaded as model_is_loaded
from .projection import (
    Projection,
    aligned_layers,
    fit_and_place,
    neighbour_preservation,
    project,
    projector_tsv,
    trustworthiness,
)
from .report import tour_html
from .similarity import (
    Baseline,
    LayerSimilarity,
    PairContributions,
    anisotropy_baseline,
    cos_sim,
    layer_similarity,
    occurrences,
    pair_contributions,
    reference_baseline,
    repeated_words,
    strategy_table,
    use_vectors,
)
from .tokens import InputError, Tokenization, check_text, search_vocab, vocab_table, wordpiece_steps
from .training import TrainingResult, parse_groups, train_embeddings, train_skipgram
from .vector_files import VectorFileError, cache_dir, download_glove, downloaded_glove
from .vectors import (
    ENCODER,
    GLOVE,
    StaticVectors,
    encoder_vectors,
    from_encoder,
    glove_6b,
    load_vectors,
    upload_vectors,
)

__all__ = [
    "AnalogyResult", "Baseline", "BUNDLED", "ENCODER", "GLOVE", "Encoder", "HiddenStates", "InputError", "LayerSimilarity",
    "LayerStats", "ModelLoadError", "PIECE_POOLING", "Projection", "SENTENCE_STRATEGIES", "SUGGESTED",
    "StaticVectors", "Tokenization", "TrainingResult", "VectorFileError", "WORD_STRATEGIES", "WordPairResult",
    "CorpusMap", "Rows", "corpus_map", "embed_corpus", "map_key", "clusters", "columns_of", "embed_rows", "embed_rows_ray", "iter_rows", "map_corpus", "nearest_rows", "open_map", "read_corpus", "read_corpus_text", "rows_note", "BUILDS", "set_visitor", "safe_cell", "safe_csv", "open_saved_map", "save_corpus_map", "save_map", "Attention", "Drift", "PairContributions", "pair_contributions", "aligned_layers", "attention_weights", "same_word_vectors", "token_drift", "Map", "Neighbours", "fit_and_place", "neighbour_preservation", "point_map", "word_map", "allowed_models", "anisotropy_baseline", "limits", "serve_visitors", "model_availability", "model_is_loaded", "benchmark_file", "cache_dir", "downloaded_glove", "glove_6b", "upload_vectors", "check_text", "cos_sim", "default_model_name", "download_glove", "encoder_vectors",
    "evaluate_analogies", "evaluate_word_pairs", "from_encoder", "layer_points", "layer_similarity",
    "layer_stats", "load_encoder", "load_vectors", "occurrences", "parse_groups", "pool_pieces", "project", "projector_tsv",
    "reference_baseline", "repeated_words", "search_vocab", "sentence_vector", "strategy_table", "token_points", "train_embeddings", "train_skipgram",
    "tour_html", "trustworthiness", "use_vectors", "vocab_table", "word_vectors", "wordpiece_steps",
]
