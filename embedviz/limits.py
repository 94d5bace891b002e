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
MAX_SKIPGRAM_WORK = 2_000_000_000  # pairs x vocabulary x dimensions x epochs

# The analogy benchmark's vocabulary sizes offered in the app: scoring 300,000 words takes ~7 CPU-seconds
# (400,000: ~20), so the app offers a few sizes, each memoised for every session, not any number.
RESTRICT_CHOICES = [10_000, 30_000, 100_000, 300_000]

# Sentences typed into one text box, one per line.
MAX_SENTENCES = 100

