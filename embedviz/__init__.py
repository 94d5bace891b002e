"""embedviz: explore word embeddings visually, from the app or a notebook.

>>> import embedviz as ev
>>> enc = ev.load_encoder()
>>> hs = enc.hidden_states("The bank robber was seen fishing on the river bank.")
>>> vecs = ev.load_vectors()                 # GloVe 6B 50d, offline
>>> vecs.analogy("man", "king", "woman")[0][0]
'queen'

Where a question goes
---------------------
One rule, so that every question has one obvious home:

- A question about **one text** is an :class:`Encoder` method, as sentence-transformers'
  ``model.encode``: ``enc.tokenize(text)``, ``enc.hidden_states(text)``,
  ``enc.sentence_vector(text, strategy)`` and ``enc.sentence_vectors(texts, strategy)``,
  ``enc.attention(text)``; so is what the model itself holds: ``enc.reference_baseline()``,
  ``enc.static_vectors()``. The method is one line calling the function that does the work in the
  module named for its concept (``attention.attention_weights``), memoised there.
- A question about **a word table** is a :class:`StaticVectors` method, as gensim's
  ``KeyedVectors``: ``vecs.most_similar(word)``, ``vecs.analogy(a, b, c)``.
- A question **over several results** (a list of hidden states, a table of vectors, a map) is a
  function in the module named for its concept: ``similarity.layer_similarity(hs_list, word)``,
  ``projection.project(x)``, ``maps.word_map(vecs)``.
- Plumbing every module shares has a module named for it: ``errors`` (:class:`InputError`, the
  message a person sees), ``progress``, ``disk`` (the cache folder, atomic writes), ``cache``
  (memoising), ``vecmath`` (unit rows, cosines, top k, spellings), ``limits`` (what a request may
  cost).

A module imports only other modules' public names, and every public name is re-exported below in
``__all__``. To add a question: write it in its module, with shapes in the docstring and an example
that runs (``tests/test_docs.py`` runs every module's examples); add the one-line ``Encoder`` method
when it is about one text; export it here; test it in ``tests/test_<module>.py``.
"""

from . import limits
from .access import serve_visitors
from .attention import Attention, Drift, listened_most, token_drift
from .axes import PRESETS as AXIS_PRESETS
from .axes import AxisSpread, axis_name, axis_spread, encoder_directions, on_directions, static_directions
from .batch_job import map_corpus
from .colour_by import Colouring, colour_by
from .compare import (
    SpacePair,
    chance_overlap,
    compare_spaces,
    nearest_points,
    neighbour_overlap,
    shared_words,
    static_row_vectors,
)
from .disk import cache_dir
from .embed import embed_corpus, embed_rows
from .errors import InputError
from .evaluation import (
    AnalogyResult,
    WordPairResult,
    benchmark_file,
    evaluate_analogies,
    evaluate_word_pairs,
)
from .exports import safe_cell, safe_csv
from .grow import Grown, grow_map
from .hidden import (
    PIECE_POOLING,
    SENTENCE_STRATEGIES,
    WORD_STRATEGIES,
    HiddenStates,
    LayerStats,
    layer_points,
    layer_stats,
    pool_pieces,
    word_vectors,
)
from .jobs import BUILDS, set_visitor
from .map_folder import CorpusMap, map_key, open_map, open_saved_map, save_corpus_map, save_map
from .maps import Map, MapBuild, Neighbours, best_map, corpus_map, point_map, word_map
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
    Projector,
    aligned_layers,
    fit_and_place,
    fit_projector,
    neighbour_preservation,
    picture,
    project,
    projector_tsv,
    trustworthiness,
)
from .ray_engine import embed_rows_ray
from .regions import Regions, map_regions
from .rows import Rows, columns_of, iter_rows, read_corpus, read_corpus_text, rows_note, text_columns
from .search import clusters, nearest_rows
from .senses import (
    ReferenceSet,
    SenseAccuracy,
    SenseUse,
    around,
    count_word,
    likely_sense,
    reference_set,
    sense_accuracy,
    sense_neighbours,
)
from .similarity import (
    Baseline,
    LayerSimilarity,
    PairContributions,
    Parting,
    anisotropy_baseline,
    layer_similarity,
    pair_contributions,
    parting,
    strategy_table,
    use_vectors,
)
from .static_model import (
    OWN_VECTORS,
    NeighbourAgreement,
    StaticEmbedder,
    check_embedder,
    embedder_name,
    embedder_spec,
    embedder_unavailable,
    load_embedder,
    map_model,
    neighbour_agreement,
    static_quality,
)
from .story import Slide, numbers_html, read_story, story_file, story_html, story_link
from .tokens import Tokenization, check_text, search_vocab, vocab_table, wordpiece_steps
from .tour import TOUR_ABOUT, TOUR_TITLES, TourStep, tour_html, tour_step
from .training import TrainingResult, parse_groups, train_embeddings, train_skipgram
from .uses import occurrences, repeated_words, same_word_vectors, token_points
from .vecmath import cos_sim
from .vector_files import VectorFileError, download_glove, downloaded_glove
from .vectors import (
    ENCODER,
    GLOVE,
    StaticVectors,
    glove_6b,
    load_vectors,
    upload_vectors,
)

__all__ = [  # every name imported above: classes and constants, then functions
    "AXIS_PRESETS", "AnalogyResult", "Attention", "AxisSpread", "ReferenceSet", "SenseAccuracy", "SenseUse", "SpacePair", "Parting", "Slide", "TOUR_ABOUT", "TOUR_TITLES", "TourStep", "Baseline", "BUILDS", "BUNDLED", "CorpusMap", "Drift", "Encoder", "ENCODER", "GLOVE",
    "HiddenStates", "InputError", "LayerSimilarity", "LayerStats", "Map", "ModelLoadError", "Neighbours",
    "PairContributions", "PIECE_POOLING", "Projection", "Projector", "Rows", "SENTENCE_STRATEGIES", "StaticVectors",
    "SUGGESTED", "Tokenization", "TrainingResult", "VectorFileError", "WORD_STRATEGIES", "WordPairResult",
    "aligned_layers", "allowed_models", "anisotropy_baseline", "benchmark_file", "cache_dir", "axis_name", "axis_spread", "chance_overlap", "check_text", "compare_spaces", "around", "count_word", "encoder_directions",
    "clusters", "columns_of", "corpus_map", "cos_sim", "default_model_name", "download_glove", "downloaded_glove",
    "embed_corpus", "embed_rows", "embed_rows_ray", "evaluate_analogies", "evaluate_word_pairs", "fit_and_place",
    "fit_projector", "glove_6b", "iter_rows", "layer_points", "layer_similarity", "layer_stats", "listened_most", "limits",
    "likely_sense", "load_encoder", "nearest_points", "neighbour_overlap", "on_directions", "reference_set", "sense_accuracy", "sense_neighbours", "shared_words", "static_directions", "static_row_vectors", "load_vectors", "map_corpus", "map_key", "model_availability", "model_is_loaded",
    "nearest_rows", "neighbour_preservation", "occurrences", "open_map", "open_saved_map", "pair_contributions",
    "parse_groups", "parting", "numbers_html", "read_story", "story_file", "story_html", "story_link", "picture", "point_map", "pool_pieces", "project", "projector_tsv", "read_corpus",
    "read_corpus_text", "repeated_words", "rows_note", "text_columns", "safe_cell", "safe_csv", "same_word_vectors",
    "save_corpus_map", "save_map", "search_vocab", "serve_visitors", "set_visitor", "strategy_table", "token_drift",
    "token_points", "tour_html", "tour_step", "train_embeddings", "train_skipgram", "trustworthiness", "upload_vectors",
    "use_vectors", "vocab_table", "word_map", "word_vectors", "wordpiece_steps",
    "MapBuild", "Regions", "best_map", "map_regions", "Colouring", "Grown", "colour_by", "grow_map",
    "NeighbourAgreement", "StaticEmbedder", "check_embedder", "embedder_name", "embedder_spec", "embedder_unavailable",
    "load_embedder", "map_model", "neighbour_agreement", "static_quality", "OWN_VECTORS",
]
