"""The gazetteer's subcommands of the ``namematch`` command line: add, link, match, decide,
undo, review, entity, export, import and rebuild, each on one database (``--db``).

Rows follow ``namematch resolve``: one output row per input line, in order, as TSV, CSV
(formula-guarded) or JSON lines, with a ``status`` column; errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ._tables import Table, atomic_output, read_table
from .errors import InputError
from .gazetteer import Gazetteer, Link

__all__ = ["register"]

LINK_COLUMNS = ("name", "entity", "canonical", "score", "status")

EXAMPLES = """\
examples:
  namematch add --db entities.db names.txt > linked.tsv
  namematch match --db entities.db "Muammar Qaddafi"
  namematch link --db entities.db watchlist.txt --format csv
  namematch decide --db entities.db "Ahmed al-Mesmari" "Mesmari" different --by desk
  namematch review --db entities.db
  namematch export --db entities.db entities.jsonl
"""


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Gazetteer]:
    """The gazetteer of ``--db``; a warning on opening (other rules) is one line."""
    from .cli import _aliases

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gaz = Gazetteer(args.db, aliases=_aliases(args.aliases), threshold=args.threshold,
                        timeout=args.timeout)
    for warning in caught:
        sys.stderr.write(f"namematch: warning: {warning.message}\n")
    with gaz:
        yield gaz


def _read_names(args: argparse.Namespace) -> tuple[list[str], Table | None]:
    """The names of ``args.file``: its lines, or the ``--column`` of a CSV or TSV table
    (which is returned too, so that the output keeps its columns)."""
    from .cli import _input_format, read_lines

    fmt = _input_format(args)
    if fmt == "lines":
        return read_lines(args.file), None
    table = read_table(args.file, fmt)
    clash = sorted(set(LINK_COLUMNS[1:]) & set(table.header))
    if clash:
        raise InputError(f"{table.label}: the input already has a column {clash[0]!r}, "
                         "which the output adds: rename it")
    column = table.column(args.column)
    return [record[column] for record in table.records], table


def _write_links(links: Sequence[Link], fmt: str, table: Table | None, output: str) -> None:
    """One row per input record, in order: the name (or the table's columns), then the
    link's entity, canonical name, score and status; written atomically."""
    from .cli import write_records

    header = [*(table.header if table is not None else LINK_COLUMNS[:1]), *LINK_COLUMNS[1:]]
    records = table.records if table is not None else [[link.name] for link in links]
    rows = (([*record, link.entity, link.canonical,
              f"{link.score:.3f}" if link.entity else "", link.status],
             round(link.score, 3) if link.entity else None)
            for record, link in zip(records, links, strict=True))
    with atomic_output(output) as out:
        write_records(header, rows, fmt, out)


def _batches(names: list[str], size: int) -> Iterator[list[str]]:
    if size <= 0 or len(names) <= size:
        yield names
        return
    for start in range(0, len(names), size):
        yield names[start:start + size]


def _cmd_add(args: argparse.Namespace) -> int:
    names, table = _read_names(args)
    show = sys.stderr.isatty() and not args.quiet
    links: list[Link] = []
    with _opened(args) as gaz:
        for batch in _batches(names, args.batch):
            links.extend(gaz.add(batch, source=args.source or args.file))
            if show:
                end = "\n" if len(links) >= len(names) else ""
                sys.stderr.write(f"\rnamematch: add {len(links):,}/{len(names):,}{end}")
    _write_links(links, args.format, table, args.output)
    return 0


def _cmd_link(args: argparse.Namespace) -> int:
    names, table = _read_names(args)
    with _opened(args) as gaz:
        links = gaz.link(names)
    _write_links(links, args.format, table, args.output)
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    with _opened(args) as gaz:
        found = gaz.match(args.name, limit=args.limit)
    if not found:
        print("no candidates")
    for candidate in found:
        print(f"{candidate.entity}\t{candidate.canonical}\t{candidate.score:.3f}\t"
              f"{candidate.decision}\tvia {candidate.spelling}")
        for line in candidate.match.explain().splitlines():
            print(f"    {line}")
    return 0


def _cmd_decide(args: argparse.Namespace) -> int:
    with _opened(args) as gaz:
        decision = gaz.decide(args.a, args.b, args.verdict, by=args.by, note=args.note)
    print(f"decision #{decision.id}: {decision.a} ({decision.a_name}) {decision.kind} "
          f"{decision.b} ({decision.b_name})")
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    with _opened(args) as gaz:
        decision = gaz.undo(args.decision)
    print(f"decision #{decision.id}: undid #{args.decision}")
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from .cli import _guard_formula

    with _opened(args) as gaz:
        items = gaz.review()
    print("id\ta\ta_name\tb\tb_name\tname\tscore")
    for item in items:
        fields = [str(item.id), item.a, item.a_name, item.b, item.b_name, item.name,
                  f"{item.score:.3f}"]
        print("\t".join(_guard_formula(f.replace("\t", " ")) for f in fields))
    return 0


def _cmd_entity(args: argparse.Namespace) -> int:
    with _opened(args) as gaz:
        if args.name is not None:
            gaz.set_name(args.id, args.name)
        entity = gaz.entity(args.id)
    print(f"{entity.id}\t{entity.name}{' (set by hand)' if entity.pinned else ''}")
    if entity.merged:
        print(f"merged ids: {', '.join(entity.merged)}")
    for spelling, count in entity.spellings:
        print(f"  {count}\t{spelling}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    with _opened(args) as gaz:
        if args.file == "-":
            sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
            gaz.export(sys.stdout)
        else:
            gaz.export(args.file)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .cli import read_lines

    lines = read_lines(args.file)
    with _opened(args) as gaz:
        count = gaz.import_(lines)
    sys.stderr.write(f"namematch: imported {count:,} entities into {args.db}\n")
    return 0


def _cmd_rebuild(args: argparse.Namespace) -> int:
    with _opened(args) as gaz:
        gaz.rebuild()
    sys.stderr.write(f"namematch: rebuilt the index of {args.db}\n")
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text}")
    return value


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add the gazetteer's subcommands to the ``namematch`` parser's ``commands``;
    ``common`` holds the options every subcommand shares (aliases, threshold)."""
    database = argparse.ArgumentParser(add_help=False, parents=[common])
    database.add_argument("--db", required=True, metavar="FILE",
                          help="the gazetteer database (SQLite; created if missing)")
    database.add_argument("--timeout", type=_seconds, default=5.0, metavar="SECONDS",
                          help="how long to wait for another writer (default 5)")
    rows = argparse.ArgumentParser(add_help=False)
    rows.add_argument("file", nargs="?", default="-", help="UTF-8 file of names, or - for stdin")
    rows.add_argument("--format", choices=("tsv", "csv", "jsonl"), default="tsv",
                      help="output format (default tsv)")
    rows.add_argument("--column", metavar="NAME_OR_NUMBER", default=None,
                      help="the column of names in a CSV/TSV input with a header; the output "
                           "keeps the input's columns and adds entity, canonical, score, "
                           "status")
    rows.add_argument("--input-format", choices=("lines", "csv", "tsv"), default=None,
                      help="how to read the input (default: by the file's suffix, else lines)")
    rows.add_argument("-o", "--output", metavar="FILE", default="-",
                      help="write here (atomically: nothing on failure) instead of stdout")
    text = argparse.RawDescriptionHelpFormatter

    add = commands.add_parser("add", parents=[database, rows], epilog=EXAMPLES,
                              formatter_class=text,
                              help="link names to the stored entities and store them")
    add.add_argument("--source", help="where the names come from (kept with the batch)")
    add.add_argument("--batch", type=int, default=0, metavar="N",
                     help="store every N names as one batch (default 0: the whole file)")
    add.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    add.set_defaults(func=_cmd_add)

    link = commands.add_parser("link", parents=[database, rows], formatter_class=text,
                               help="screen names against the stored entities (read-only)")
    link.set_defaults(func=_cmd_link)

    match = commands.add_parser("match", parents=[database],
                                help="the best stored entities for one name, explained")
    match.add_argument("name")
    match.add_argument("--limit", type=int, default=5, help="how many (default 5)")
    match.set_defaults(func=_cmd_match)

    decide = commands.add_parser("decide", parents=[database],
                                 help="record that two names or entity ids are the same "
                                      "entity or different ones")
    decide.add_argument("a")
    decide.add_argument("b")
    decide.add_argument("verdict", choices=("same", "different"))
    decide.add_argument("--by", help="who decided")
    decide.add_argument("--note", help="why")
    decide.set_defaults(func=_cmd_decide)

    undo = commands.add_parser("undo", parents=[database], help="undo a decision")
    undo.add_argument("decision", type=int)
    undo.set_defaults(func=_cmd_undo)

    review = commands.add_parser("review", parents=[database],
                                 help="pairs of entities a new name bridged, to decide")
    review.set_defaults(func=_cmd_review)

    entity = commands.add_parser("entity", parents=[database],
                                 help="show an entity (and set its name with --name)")
    entity.add_argument("id")
    entity.add_argument("--name", help="the name to show it by from now on")
    entity.set_defaults(func=_cmd_entity)

    export = commands.add_parser("export", parents=[database],
                                 help="write entities and decisions as JSON lines")
    export.add_argument("file", nargs="?", default="-", help="output file, or - for stdout")
    export.set_defaults(func=_cmd_export)

    load = commands.add_parser("import", parents=[database],
                               help="load an export into an empty database")
    load.add_argument("file", help="a file written by export, or - for stdin")
    load.set_defaults(func=_cmd_import)

    rebuild = commands.add_parser("rebuild", parents=[database],
                                  help="recompute the index with this version's rules")
    rebuild.set_defaults(func=_cmd_rebuild)
