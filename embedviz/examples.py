"""The curated sentences and word groups the pages start with (from the two tutorials)."""

EMBEDDINGS_SENTENCE = "Here is the sentence I want embeddings for."
BANK_SENTENCE = ("After stealing money from the bank vault, the bank robber was seen fishing on the "
                 "Mississippi river bank.")
PAIR = ("The man went to the store.", "He bought a gallon of milk.")
BAT_SENTENCES = ["A bat flew out of the cave.", "He swung the baseball bat."]
BAT_USES = ("A bat flew out of the cave at night.", "He swung the baseball bat and missed the ball.",
            "At dusk a bat was hunting insects above the barn.")  # Senses opens on these (and the tour's step)
BANK_SENSES = [
    "The man was accused of robbing a bank.",
    "The man went fishing by the bank of the river.",
    "She deposited her salary at the bank on Monday.",
    "We had a picnic on the grassy bank of the stream.",
    "The bank approved the loan after a long review.",
    "Reeds grew thick along the muddy river bank.",
]
SENTENCES = [
    "How do I reset my password?",
    "I forgot my login details and cannot sign in.",
    "Where can I download my invoice?",
    "The parcel arrived damaged and I want a refund.",
    "Can I change the delivery address of my order?",
    "My package never arrived.",
]
QUERY = "I can't get into my account."
CORPUS_QUERY = "read a file"  # Your corpus opens on the docstrings, asked this
WORD_GROUPS = {
    "vehicles": ["car", "bike", "plane", "truck", "bus", "train", "boat"],
    "pets": ["cat", "dog", "bird", "rabbit", "horse", "fish", "parrot"],
    "fruits": ["orange", "apple", "grape", "banana", "pear", "cherry", "lemon"],
    "countries": ["france", "germany", "italy", "spain", "japan", "china", "brazil"],
    "colours": ["red", "blue", "green", "yellow", "purple", "black", "white"],
    "family": ["mother", "father", "sister", "brother", "daughter", "son", "aunt"],
    "numbers": ["one", "two", "three", "four", "five", "six", "seven"],
}
DEFAULT_GROUPS = ["vehicles", "pets", "fruits"]
ODD_ONE_OUT = ["breakfast", "cereal", "dinner", "lunch"]
# Varied sentences with few shared words: what "unrelated tokens" score at each layer.
REFERENCE_SENTENCES = [
    "The committee postponed its decision until next spring.",
    "Quantum computers exploit superposition to solve certain problems.",
    "She painted the old fence a bright shade of yellow.",
    "Our flight to Lisbon was delayed by heavy fog.",
    "Penguins huddle together to survive the Antarctic winter.",
    "He practised the violin every evening after dinner.",
    "The recipe calls for two cups of flour and a pinch of salt.",
    "Stock markets tumbled after the surprising announcement.",
    "Children laughed as the puppet show began.",
    "Volcanic ash drifted across the northern valleys.",
    "A librarian catalogued the rare manuscripts carefully.",
    "The striker scored twice in the final minutes.",
]
SKIPGRAM_TEXT = """The cat sat on the mat. The dog sat on the rug. The cat chased the mouse.
The dog chased the cat. A kitten is a young cat. A puppy is a young dog.
The king ruled the kingdom. The queen ruled the kingdom. The prince is the son of the king.
The princess is the daughter of the queen. The king and the queen lived in the castle.
Apples and oranges are fruit. I ate an apple and an orange. Grapes are sweet fruit.
The car drove on the road. The bus drove on the road. The train ran on the track."""

# A corpus nobody here wrote that installs with Python: the first paragraph of the docstrings of the
# standard library's public functions and classes, labelled by module.
DOCSTRING_MODULES = ["json", "os", "re", "collections", "itertools", "functools", "string", "textwrap", "shutil",
                     "pathlib", "math", "statistics", "random", "datetime", "zipfile", "tarfile", "csv", "sqlite3",
                     "subprocess", "socket", "threading", "urllib.parse", "email.utils", "html", "difflib", "heapq",
                     "bisect", "calendar", "hashlib", "base64", "gzip", "tempfile", "glob", "fnmatch", "logging",
                     "argparse", "decimal", "fractions", "enum", "inspect", "ast", "pickle", "copy", "pprint", "io",
                     "codecs", "struct", "queue", "asyncio", "unittest", "typing", "http.client", "email.message",
                     "xml.etree.ElementTree", "configparser", "contextlib", "dataclasses", "operator", "weakref"]


def docstring_corpus(limit: int = 1000) -> bytes:
    """A CSV (columns text, module) of up to ``limit`` standard-library docstrings: the Your corpus
    page's example, and the tests' real text."""
    import csv
    import importlib
    import inspect
    import io

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["text", "module"])
    seen, n = set(), 0
    for mod in DOCSTRING_MODULES:
        m = importlib.import_module(mod)
        members = []
        for name, obj in sorted(vars(m).items()):
            if name.startswith("_") or not callable(obj):
                continue
            members.append(obj)
            if inspect.isclass(obj) and getattr(obj, "__module__", "") == m.__name__:  # and its own methods
                members += [f for k, f in sorted(vars(obj).items()) if not k.startswith("_") and callable(f)]
        for obj in members:
            doc = inspect.getdoc(obj)
            text = " ".join(doc.split("\n\n")[0].split()) if doc else ""
            if len(text) < 20 or text in seen:
                continue
            seen.add(text)
            w.writerow([text, mod])
            n += 1
            if n >= limit:
                return out.getvalue().encode()
    return out.getvalue().encode()
