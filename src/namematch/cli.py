"""The ``namematch`` command line: resolve, compare and keys.

Exit codes: 0 success, 1 bad input or data (one line on stderr), 2 bad usage; with
``compare --exit-code``: 0 match, 1 no-match, 2 any error.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, NoReturn

from . import __version__, compiled
from ._progress import ProgressBar
from ._tables import TABLE_FORMATS, Table, atomic_output, read_table, read_text, suffix_format
from .api import (
    DEFAULT_THRESHOLD,
    AliasTable,
    Resolution,
    explain,
    keys,
    load_aliases,
    parse,
    resolve,
)
from .errors import InputError, NamematchError, UsageError

__all__ = [
    "UsageError",
    "build_parser",
    "main",
    "read_lines",
    "run",
    "usable_cores",
    "write_records",
    "write_rows",
    "write_table",
]

COLUMNS = ("name", "entity", "canonical", "score")
ADDED = COLUMNS[1:]
"""The columns a table (``--column``) gets after its own."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = re.compile('["\r\n]')  # a cell holding one of these (or the delimiter) is quoted

EXAMPLES = """\
examples:
  namematch resolve seeds/names.txt
  namematch resolve people.csv --column name -o people-resolved.csv
  namematch resolve --format csv --aliases my-aliases.yaml names.txt > entities.csv
  namematch resolve big.txt --engine dask --scheduler tcp://HOST:8786
  cat names.txt | namematch resolve - --format jsonl
  namematch compare "Abdul Razek al-Nadoori" "Abdelrazzak al-Nadhouri"
  namematch compare --exit-code "Hassan Nasrallah" "Hussein Nasrallah" || echo different
  namematch keys "Moammar al-Gaddafi"
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"namematch: error: {message} (see --help)\n")


def read_lines(path: str) -> list[str]:
    """The lines of a UTF-8 file (``-`` for stdin), split at ``\\n`` only.

    A ``\\r`` before the ``\\n`` and a BOM at the start are dropped; a lone ``\\r``, U+2028 and
    the like stay inside the line. Raises :class:`InputError` for unreadable input.
    The file is read and decoded in one piece: the index of a million names is bigger than
    their text, and decoding per line costs more than the rest of the reading.
    """
    _, text = read_text(path)
    if not text:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    # Names repeat: one string object per distinct line keeps a million lines small.
    first: dict[str, str] = {}
    return [first.setdefault(line, line) for line in lines]


def _guard_formula(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _fields(row: Resolution) -> list[str]:
    score = f"{row.score:.3f}" if row.entity else ""
    return [row.name, row.entity, row.canonical, score]


def write_rows(rows: Sequence[Resolution], fmt: str, out: IO[str]) -> None:
    """Write resolutions as TSV, CSV (formula-guarded) or JSON lines, one row per input.

    Names repeat (a Zipf law), and one name always resolves to one row: each distinct
    name's row is formatted once.
    """
    formatted: dict[str, str] = {}
    line = _formatter(fmt)
    if fmt != "jsonl":
        out.write(line(COLUMNS))
    batch: list[str] = []
    for row in rows:
        text = formatted.get(row.name)
        if text is None:
            text = formatted[row.name] = line(_record(row, fmt))
        batch.append(text)
        if len(batch) >= 65536:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))


def write_table(table: Table, rows: Sequence[Resolution], fmt: str, out: IO[str]) -> None:
    """Write each record of ``table`` with its resolution's entity, canonical and score.

    The header is the table's, then ``entity``, ``canonical``, ``score``; JSON lines have
    one object per record with those keys. CSV cells are guarded against formulas.
    """
    write_records([*table.header, *ADDED], (
        ([*record, *_fields(row)[1:]], round(row.score, 3) if row.entity else None)
        for record, row in zip(table.records, rows, strict=True)), fmt, out)


def write_records(header: Sequence[str], records: Iterable[tuple[list[str], float | None]],
                  fmt: str, out: IO[str]) -> None:
    """Write a header and records as TSV, CSV (every cell formula-guarded) or JSON lines
    (one object per record, keyed by the header, its ``score`` field a number or null);
    each record comes with its score for JSON."""
    line = _formatter(fmt)
    if fmt == "csv":
        header = [_guard_formula(cell) for cell in header]
    if fmt != "jsonl":
        out.write(line(header))
    for fields, score in records:
        if fmt == "jsonl":
            data: dict[str, object] = dict(zip(header, fields, strict=True))
            data["score"] = score
            out.write(line(data))
        else:
            out.write(line([_guard_formula(f) for f in fields] if fmt == "csv" else fields))


def _record(row: Resolution, fmt: str) -> Sequence[str] | dict[str, object]:
    fields = _fields(row)
    if fmt == "jsonl":
        record: dict[str, object] = dict(zip(COLUMNS, fields, strict=True))
        record["score"] = round(row.score, 3) if row.entity else None
        return record
    return [_guard_formula(f) for f in fields] if fmt == "csv" else fields


def _formatter(fmt: str) -> Callable[[Any], str]:
    """A function turning one record into its line of output, newline included."""
    if fmt == "jsonl":
        return lambda record: json.dumps(record, ensure_ascii=False) + "\n"
    delimiter = "\t" if fmt == "tsv" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n",
                        quoting=csv.QUOTE_MINIMAL)
    # QUOTE_MINIMAL leaves a lone \r unquoted when lines end at \n; readers would split there.
    quote_all = csv.writer(buffer, delimiter=delimiter, lineterminator="\n",
                           quoting=csv.QUOTE_ALL)

    def line(fields: Sequence[str]) -> str:
        joined = delimiter.join(fields)
        # Most rows need no quoting: then the joined cells are what the writer would write.
        if len(fields) > 1 and joined.count(delimiter) == len(fields) - 1 \
                and _QUOTED.search(joined) is None:
            return joined + "\n"
        buffer.seek(0)
        buffer.truncate()
        (quote_all if any("\r" in f for f in fields) else writer).writerow(fields)
        return buffer.getvalue()

    return line


def _aliases(paths: Sequence[str]) -> AliasTable:
    return load_aliases(*paths)


def _input_format(args: argparse.Namespace) -> str:
    """``lines``, ``csv`` or ``tsv``: as given, else by the file's suffix, else lines."""
    fmt: str = args.input_format or suffix_format(args.file) or "lines"
    if fmt == "lines" and args.column is not None:
        raise UsageError("--column needs CSV or TSV input: name the file .csv or .tsv "
                         "or give --input-format csv|tsv")
    if fmt != "lines" and args.column is None:
        raise UsageError(f"{args.file} is read as {fmt.upper()}: give the column of names "
                         f"with --column NAME_OR_NUMBER (or --input-format lines to read "
                         "it as one name per line)")
    return fmt


def _cmd_resolve(args: argparse.Namespace) -> int:
    if args.scheduler is not None and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    fmt = _input_format(args)
    table: Table | None = None
    if fmt == "lines":
        names = read_lines(args.file)
    else:
        table = read_table(args.file, fmt)
        clash = sorted(set(ADDED) & set(table.header))
        if clash:
            raise InputError(f"{table.label}: the input already has a column {clash[0]!r}, "
                             "which the output adds: rename it")
        column = table.column(args.column)
        names = [record[column] for record in table.records]
    aliases = _aliases(args.aliases)
    show = sys.stderr.isatty() and not args.quiet
    if args.engine == "dask":
        from .dask import resolve_list

        rows = resolve_list(names, aliases=aliases, threshold=args.threshold,
                            scheduler=args.scheduler, jobs=args.jobs, progress=show)
    else:
        rows = resolve(names, aliases=aliases, threshold=args.threshold, jobs=args.jobs,
                       progress=ProgressBar(sys.stderr) if show else None)
    with atomic_output(args.output) as out:
        if table is None:
            write_rows(rows, args.format, out)
        else:
            write_table(table, rows, args.format, out)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    text = explain(args.a, args.b, aliases=_aliases(args.aliases), threshold=args.threshold)
    print(text)
    if args.exit_code:
        return 0 if text.startswith("match") else 1
    return 0


def _cmd_keys(args: argparse.Namespace) -> int:
    name = parse(args.name)
    parts = ", ".join(f"{p.text} [{p.role}: {p.form}]" for p in name.parts)
    print(f"parts: {parts or '-'}")
    if name.titles:
        print(f"titles: {', '.join(name.titles)}")
    for key in sorted(keys(name)):
        print(key)
    return 0


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text}")
    return value or usable_cores()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``namematch`` command."""
    parser = _Parser(
        prog="namematch",
        description="Resolve spelling variants of names into entities.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build = "compiled" if compiled() else "pure Python"
    parser.add_argument("--version", action="version", version=f"namematch {__version__} ({build})")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    common = _Parser(add_help=False)
    common.add_argument("--aliases", action="append", default=[], metavar="FILE",
                        help="an alias YAML file extending the shipped one (repeatable)")
    common.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD,
                        help=f"least score for one entity (default {DEFAULT_THRESHOLD})")

    run = commands.add_parser("resolve", parents=[common], epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              help="resolve a list of names, one per line, into entities")
    run.add_argument("file", nargs="?", default="-",
                     help="UTF-8 file: one name per line, or a CSV/TSV table with --column; "
                          "- for stdin (default)")
    run.add_argument("--column", metavar="NAME_OR_NUMBER", default=None,
                     help="the column of names in a CSV/TSV input with a header (a header "
                          "name, or a number from 1); the output keeps the input's columns "
                          "and adds entity, canonical, score")
    run.add_argument("--input-format", choices=("lines", *TABLE_FORMATS), default=None,
                     help="lines: one name per line; csv, tsv: a table with a header "
                          "(default: by the file's suffix, .csv or .tsv; else lines)")
    run.add_argument("--format", choices=("tsv", "csv", "jsonl"), default="tsv",
                     help="output format (default tsv)")
    run.add_argument("-o", "--output", metavar="FILE", default="-",
                     help="write to FILE, replaced only once complete (default - : stdout)")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bars on stderr (they show only when it is a terminal)")
    run.add_argument("-j", "--jobs", type=_jobs, default="0", metavar="N",
                     help="compare in N processes (default 0: one per usable core; "
                          "1: this process only); the output is the same")
    run.add_argument("--engine", choices=("local", "dask"), default="local",
                     help="local: this process (default); dask: dask partitions "
                          "(install namematch-arabic[dask]), same output")
    run.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="with --engine dask: a dask distributed scheduler, e.g. "
                          "tcp://HOST:8786 (default: dask's local scheduler, -j processes)")
    run.set_defaults(func=_cmd_resolve)

    pair = commands.add_parser("compare", parents=[common],
                               help="compare two names and explain the score")
    pair.add_argument("a")
    pair.add_argument("b")
    pair.add_argument("--exit-code", action="store_true",
                      help="exit 0 on a match, 1 on a no-match (2 on an error), for scripts")
    pair.set_defaults(func=_cmd_compare)

    key = commands.add_parser("keys", help="show a name's parts, folded forms and keys")
    key.add_argument("name")
    key.set_defaults(func=_cmd_keys)
    from .cli_gazetteer import register  # the gazetteer's subcommands (add, match, ...)
    register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except UsageError as err:
        sys.stderr.write(f"namematch: error: {err} (see --help)\n")
        return 2
    except NamematchError as err:
        sys.stderr.write(f"namematch: error: {err}\n")
        # With compare --exit-code, 1 means no-match: an error must not look like one.
        return 2 if getattr(args, "exit_code", False) else 1
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("namematch: interrupted\n")
        return 130
    except Exception as err:  # a bug: still one line, never a traceback, for users
        sys.stderr.write(f"namematch: internal error: {type(err).__name__}: {err}\n")
        return 70
    return code


def run() -> NoReturn:
    """The console script: :func:`main`, then exit without tearing the interpreter down.

    A million names leave tens of millions of objects (parsed names, caches) that the
    operating system frees at once; freeing them one by one at exit took seconds. The
    output is flushed first, and nothing else is left to run at exit.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe: nothing more can be written
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()
