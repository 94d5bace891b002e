"""``python -m embedviz map INPUT --text-column text --out DIR``: a corpus as a map, as a batch job."""

import sys

from .cli import main

sys.exit(main())
