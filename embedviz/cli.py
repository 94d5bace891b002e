"""The command line: ``python -m embedviz map INPUT --text-column text --out DIR`` runs the batch job
(:func:`embedviz.batch_job.map_corpus`), ``python -m embedviz grow DIR INPUT --text-column text`` adds
rows to a map (:func:`embedviz.grow_map`); every failure is one line, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys

from .batch_job import map_corpus
from .errors import InputError
from .models import ModelLoadError


def _at_least(low: int):
    def parse(text: str) -> int:
        import argparse

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}, the least it can be")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    """``python -m embedviz map INPUT --text-column text --out DIR`` (see ``--help``)."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):  # one line, as every other error of the command
            self.exit(2, f"embedviz: {message} (see python -m embedviz map --help)\n")

    ap = Parser(prog="python -m embedviz", description="Map a corpus: embed every row, project, save.")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)
    m = sub.add_parser("map", help="embed and project a CSV / parquet / JSON-lines / text file into a folder")
    m.add_argument("input")
    m.add_argument("--out", required=True, help="output folder (rerun to resume)")
    m.add_argument("--text-column", help="the column to embed (not for .txt)")
    m.add_argument("--label-column", help="a column to colour by")
    m.add_argument("--keep-columns", default="", help="other columns map.parquet keeps, comma-separated, to colour "
                   "the map by in the app")
    m.add_argument("--model", help="encoder: a Hugging Face id or folder (default: the bundled model); or static: "
                   "a static model distilled from the default encoder (static:NAME: from the encoder NAME), built "
                   "once and cached, ~100x faster, its neighbours less like the encoder's")
    m.add_argument("--strategy", default="model", help="sentence vector: model, second_to_last_mean, last_mean, cls "
                   "(a static model has only model)")
    m.add_argument("--engine", choices=["local", "ray"], default="local")
    m.add_argument("--address", help="a Ray cluster (host:port or auto); default: Ray on this machine")
    m.add_argument("--workers", type=_at_least(1), default=2, help="Ray actors holding the encoder: one pool for the "
                   "whole job")
    m.add_argument("--chunk-rows", type=_at_least(1), default=10_000, help="rows a chunk file holds (resume unit)")
    m.add_argument("--method", choices=["pca", "tsne", "umap"], default="pca")
    m.add_argument("--sample", type=_at_least(2), default=50_000, help="rows the projection is fitted on")
    m.add_argument("--vectors-column", help="a parquet column of your own vectors (a list of numbers a row, all one "
                   "length): used as they are, nothing is embedded")
    m.add_argument("--vectors-npy", action="store_true", help="use the .npy beside INPUT, named like it (one row of "
                   "numbers per input row, empty rows included), as the vectors: nothing is embedded")
    m.add_argument("--restart", action="store_true", help="the --out folder holds an earlier job of another input or "
                   "settings: remove its files and start again")
    g = sub.add_parser("grow", help="add the rows of a file to a map folder, placed without moving the others")
    g.add_argument("folder", help="a map folder (from python -m embedviz map, or a saved map's)")
    g.add_argument("input")
    g.add_argument("--text-column", help="the column to embed (not for .txt)")
    g.add_argument("--label-column", help="the map's colour label of the new rows")
    args = ap.parse_args(argv)

    def bar(f: float, msg: str) -> None:
        print(f"\r{msg[:110]:<110}", end="" if f < 1 else "\n", file=sys.stderr, flush=True)

    def say(msg: str) -> None:
        print("\nembedviz: " + " ".join(str(msg).split()), file=sys.stderr)

    try:
        if args.command == "grow":
            from .grow import grow_map

            grown = grow_map(args.folder, args.input, text_column=args.text_column, label_column=args.label_column,
                             progress=bar)
            print(json.dumps({"added": grown.added, "rows": grown.rows}))
            return 0
        out = map_corpus(args.input, args.out, text_column=args.text_column, label_column=args.label_column,
                         model=args.model, strategy=args.strategy, engine=args.engine, address=args.address,
                         workers=args.workers, chunk_rows=args.chunk_rows, method=args.method, sample=args.sample,
                         restart=args.restart, vector_column=args.vectors_column, vectors_npy=args.vectors_npy,
                         progress=bar, keep_columns=tuple(c.strip() for c in args.keep_columns.split(",") if c.strip()))
    except KeyboardInterrupt:
        say("stopped (Ctrl-C). Finished chunks are kept: rerun the same command to resume.")
        return 130
    except (InputError, ModelLoadError) as e:
        say(e)
        return 2
    except OSError as e:
        say(f"{e.strerror or e}" + (f": {e.filename}" if getattr(e, "filename", None) else "") + ".")
        return 2
    except Exception as e:  # noqa: BLE001 - a bug or a library's failure: one line, not a traceback
        if os.environ.get("EMBEDVIZ_DEBUG"):
            raise
        say(f"failed: {type(e).__name__}: {str(e)[:300]} (set EMBEDVIZ_DEBUG=1 to see where).")
        return 1
    print(json.dumps(json.loads((out / "about.json").read_text()), indent=1))
    return 0
