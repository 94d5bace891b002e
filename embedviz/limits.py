"""What one request may cost. Every input whose cost grows faster than its size has a limit here,
enforced by the backend (so a notebook is protected as well as the app) and named in the message a
person sees when it is hit. The aim: one click costs at most a few CPU-seconds and a few hundred MB
on a two-core machine (``benchmarks/worst_clicks.py`` measures the worst allowed click per page).
"""

# Uses of one repeated word compared pairwise: n uses make n (n - 1) / 2 pairs, each a line in a
# figure. 400 uses of "bank" in a 2 KB link made 79,800 lines and never rendered; 30 make 435.
MAX_USES = 30

# BERT's WordPiece makes [UNK] of any word over 100 characters (max_input_chars_per_word); the
# step-by-step split is cubic in the word's length (6,000 characters took 35 s).
MAX_WORD_CHARS = 100

# The tutorial's from-scratch model: full-batch training costs groups' words squared per epoch.
MAX_GROUP_WORDS = 60
MAX_EPOCHS = 1000  # 60 words x 1,000 epochs: 2.3 CPU-seconds on one thread
LR_RANGE = (1e-4, 10.0)  # below 1e-4 nothing moves in a few thousand epochs; above 10 Adam diverges

# Skip-gram on pasted text: each epoch costs about (word, neighbour) pairs x vocabulary x dimensions
# multiply-adds, three times over (forward, backward, update).
MAX_SKIPGRAM_CHARS = 20_000
MAX_SKIPGRAM_WORK = 2_000_000_000  # pairs x vocabulary x (dimensions + SKIPGRAM_SOFTMAX_COST) x epochs
# The full softmax's own cost per (pair, word) cell: exp, sum, log and their gradients, whatever the
# dimension (20,000 characters with 4,000 distinct words at 8 dimensions peaked at +3.7 GB: it was
# counted as 8 a cell, and all the cells were in memory at once).
SKIPGRAM_SOFTMAX_COST = 8
MAX_SKIPGRAM_LOGITS = 4 * 2**20  # (pair, word) cells in memory at once: 16 MB, times a few for the gradient

# The analogy benchmark's vocabulary sizes offered in the app: scoring 300,000 words takes ~7 CPU-seconds
# (400,000: ~20), so the app offers a few sizes, each memoised for every session, not any number.
RESTRICT_CHOICES = [10_000, 30_000, 100_000, 300_000]

# Sentences typed into one text box, one per line.
MAX_SENTENCES = 100
# Tokens one request runs through the encoder (several sentences at once): 100 sentences of 512 tokens
# took 28 CPU-s and +869 MB on the Sentences page; 8,000 tokens take about 5 CPU-s with the bundled model.
MAX_REQUEST_TOKENS = 8_000


# Maps of a whole vocabulary (embedviz.maps). GloVe 6B has 400,000 words; a million 300-d vectors is
# 1.2 GB, the most one map here holds. t-SNE and UMAP are fitted on a sample of at most 50,000 points
# (fit: ~3 min for t-SNE, ~1 min for UMAP on two cores) and place the rest with the fitted model.
MAX_MAP_POINTS = 1_000_000
# The whole-vocabulary maps a shared server builds unless its owner says otherwise (EMBEDVIZ_MAPS, same
# form; "any" for all): a link with another seed or knob is told these, and starts no 4-minute build.
DEFAULT_MAPS = "pca; tsne seed=0 perplexity=30 sample=20000; umap seed=0 n_neighbors=15 min_dist=0.1 sample=20000"
MAP_SIZES = [20_000, 50_000, 100_000]  # and "all": the word counts a whole-vocabulary map is offered in
# "Show only these" projects a selection again: t-SNE and UMAP take at most this many points (fitted on
# 20,000, the rest placed); 310,000 took 87 s and 2.3 GB. PCA takes any number.
MAX_REPROJECT_POINTS = 50_000
MAX_FIT_POINTS = 50_000
FIT_CHOICES = [10_000, 20_000, 50_000]
# Per-point neighbourhood scores compare every scored point with every other: 50,000 x 50,000 cosines.
MAX_SCORED_POINTS = 50_000
# Points a map draws as clickable markers; the rest are a density image (a selection of more than
# ~15,000 drawn points never came back from the browser).
MAX_MARKERS = 4_000  # plus one invisible marker per occupied cell of a 48 x 36 grid (at most 1,728)
MAX_LABELS = 150

# A corpus embedded inside the app: 20,000 rows take ~1-2 minutes on two cores with the bundled model;
# past that, the batch job (python -m embedviz map) streams, resumes and scales out on Ray.
MAX_CORPUS_ROWS = 20_000
# A map of fewer rows has no shape to show (two rows: a line, its other axis of zero width); t-SNE and
# UMAP need four.
MIN_MAP_ROWS = 4

# A corpus row is cut to this many characters before it is tokenized: the bundled model reads 512
# tokens, about 2,500 characters of English (a 10 MB row, tokenized whole, took 16 CPU-s and 2.1 GB).
MAX_ROW_CHARS = 5_000
# A corpus file the app reads holds at most this much text once decoded (its size on disk can be far
# smaller: an 833-byte parquet of dictionary-encoded rows decoded to 2 GB). The batch job streams.
MAX_CORPUS_BYTES = 64 * 2**20

# The attention grid (layers x heads squares) shows at most this many cells a side in each square:
# longer inputs are shown in blocks of tokens (512 tokens, unpooled, sent a 106 MB figure).
MAX_GRID_TILE = 48
# Attention results kept for every session: 512 tokens of a 12 x 12 model hold ~430 MB (weights, their
# norm-weighted view and the hidden states); the memo is bounded in bytes, not in count alone.
ATTENTION_MEMO_BYTES = 512 * 2**20
