"""Storage of a gazetteer: a small interface (:class:`Store`) and its SQLite implementation.

The gazetteer's linking logic (:mod:`namematch.gazetteer`) reads and writes only through
:class:`Store`, so a server database can follow by implementing the same methods. The
SQLite store uses the standard library's ``sqlite3``: WAL journal (readers never wait for
the writer and see the state before or after a batch), a busy timeout for a second writer,
one transaction per batch, every statement parameterised.

Tables (schema version :data:`SCHEMA`):

* ``meta``: schema version, rules' version, the next entity number;
* ``entities``: opaque ids minted once (``E1``, ``E2``, ...), display name, whether a person
  set it, the canonical spelling, and ``merged_into`` for ids a decision merged away;
* ``spellings``: each distinct normalized spelling, its entity and mention count, and
  ``keys_of``: the spelling whose index rows stand for it, when it folds like one stored
  before it (same keys: it gets no rows of its own, and a lookup that finds the other finds
  it too);
* ``keys``: the blocking index, one row per key (a 60-bit number,
  :func:`namematch.keys.key_numbers`) and spelling, ordered by key;
* ``buckets``: the keys shared by more spellings than the bucket bound, with their size
  and their most-mentioned longer spellings (the only ones such a key gives a lookup);
* ``parts``: how many spellings have a part of each skeleton (the part weights);
* ``decisions`` (an append-only log, undo included), ``reviews`` and ``batches``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from pathlib import Path
from typing import Any, Final, NamedTuple, Protocol

from .errors import NamematchError

__all__ = [
    "SCHEMA",
    "DatabaseLockedError",
    "DiskFullError",
    "EntityRow",
    "NewerSchemaError",
    "NotAGazetteerError",
    "ReadOnlyError",
    "SQLiteStore",
    "SpellingRow",
    "Store",
    "StoreError",
]

SCHEMA: Final = 2
"""The schema version this namematch writes; a database of a newer one is refused, one of
schema 1 (text keys) is upgraded when opened (:meth:`SQLiteStore.upgrade`)."""
LEADERS: Final = 5
"""Most-mentioned longer spellings kept per key: a new name meets these in a key shared by
more spellings than the bucket bound."""

_CACHE_KIB: Final = 131_072
"""The page cache of a writable connection, at most (128 MB: a million mentions' database
is about 70 MB)."""
_CHECKPOINT: Final = 20_000
"""Pages the write-ahead log may hold before it is copied back (about 80 MB)."""

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entities (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, name TEXT NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0, canonical INTEGER, merged_into TEXT,
    created TEXT NOT NULL);
CREATE TABLE spellings (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE, shown TEXT NOT NULL,
    entity TEXT NOT NULL, mentions INTEGER NOT NULL, single INTEGER NOT NULL,
    batch INTEGER, keys_of INTEGER);
CREATE INDEX spellings_entity ON spellings (entity);
CREATE INDEX entities_merged ON entities (merged_into);
{index}
CREATE TABLE parts (skeleton TEXT PRIMARY KEY, names INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, a TEXT, b TEXT, a_name TEXT, b_name TEXT,
    by TEXT, at TEXT NOT NULL, score REAL, note TEXT, undoes INTEGER, effect TEXT);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT NOT NULL, name TEXT NOT NULL,
    score REAL NOT NULL, at TEXT NOT NULL, batch INTEGER);
CREATE TABLE batches (id INTEGER PRIMARY KEY, source TEXT, at TEXT NOT NULL,
    rows INTEGER NOT NULL);
"""

_INDEX = """
CREATE INDEX spellings_keys_of ON spellings (keys_of) WHERE keys_of IS NOT NULL;
CREATE TABLE keys (
    key INTEGER NOT NULL, spelling INTEGER NOT NULL, single INTEGER NOT NULL,
    PRIMARY KEY (key, spelling)) WITHOUT ROWID;
CREATE TABLE buckets (key INTEGER PRIMARY KEY, size INTEGER NOT NULL, leaders TEXT NOT NULL)
    WITHOUT ROWID;
"""
_TABLES = _TABLES.replace("{index}", _INDEX)
PART_KEY: Final = 1 << 61
"""Keys at or above this are part keys (:data:`namematch.keys.PART_KEY`), below it
combined keys."""

_EXPECTED = frozenset({"meta", "entities", "spellings", "keys", "buckets", "parts",
                       "decisions", "reviews", "batches"})


class StoreError(NamematchError):
    """A gazetteer database cannot be used as asked."""


class NotAGazetteerError(StoreError):
    """The file is not a namematch gazetteer (not SQLite, or other tables)."""


class NewerSchemaError(StoreError):
    """The database was written by a newer namematch."""


class ReadOnlyError(StoreError):
    """The database cannot be written (read-only file or folder)."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full; the batch was rolled back."""


class DatabaseLockedError(StoreError):
    """Another writer held the database longer than the busy timeout."""


class SpellingRow(NamedTuple):
    """One stored spelling: normalized ``text``, as ``shown``, its entity and mentions
    (a named tuple: a batch reads thousands, and a tuple is cheap to make)."""

    id: int
    text: str
    shown: str
    entity: str
    mentions: int
    single: bool
    keys_of: int | None = None

    @property
    def indexed_as(self) -> int:
        """The spelling whose index rows stand for this one (itself, or ``keys_of``)."""
        return self.id if self.keys_of is None else self.keys_of


class EntityRow(NamedTuple):
    """One stored entity (``merged_into`` is set when a decision merged it away)."""

    id: str
    seq: int
    name: str
    pinned: bool
    canonical: int | None
    merged_into: str | None
    created: str


# A key over the bound: its size and leaders, (spelling id, mentions) most mentioned first.
Bucket = tuple[int, tuple[tuple[int, int], ...]]
# Spellings touched in a batch, per key: (spelling id, mentions, one part?).
Touched = Mapping[int, Sequence[tuple[int, int, bool]]]


class Store(Protocol):
    """What the gazetteer needs of its storage. Reads run inside :meth:`reading` (one
    consistent snapshot), writes inside :meth:`writing` (one transaction)."""

    path: str

    def close(self) -> None: ...
    def reading(self) -> contextlib.AbstractContextManager[None]: ...
    def writing(self) -> contextlib.AbstractContextManager[None]: ...
    def meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def spellings_by_text(self, texts: Iterable[str]) -> dict[str, SpellingRow]: ...
    def spellings_by_id(self, ids: Iterable[int]) -> dict[int, SpellingRow]: ...
    def spellings_of(self, entity: str) -> list[SpellingRow]: ...
    def spelling_count(self) -> int: ...
    def with_full_names(self, entities: Iterable[str]) -> set[str]: ...
    def iter_spellings(self, after: int, limit: int) -> list[SpellingRow]: ...
    def candidates(self, probes: Sequence[tuple[int, int, bool]],
                   bound: int, limit: int) -> list[tuple[int, int]]: ...
    def part_frequency(self, skeletons: Iterable[str]) -> dict[str, int]: ...
    def add_spellings(self, rows: Sequence[tuple[str, str, str, int, bool, int | None]],
                      batch: int | None) -> list[int]: ...
    def add_mentions(self, counts: Mapping[int, int]) -> None: ...
    def index(self, keys: Sequence[tuple[int, int, bool]], touched: Touched,
              skeletons: Mapping[str, int], bound: int) -> None: ...
    def clear_index(self) -> None: ...
    def index_as(self, pairs: Iterable[tuple[int, int]]) -> None: ...
    def big_keys(self) -> Set[int]: ...
    def upgrade(self) -> None: ...
    outdated: bool
    def move_spellings(self, ids: Iterable[int], entity: str) -> None: ...
    def mint(self, name: str, canonical: int | None, at: str) -> str: ...
    def mint_all(self, entities: Sequence[tuple[str, int | None]], at: str) -> list[str]: ...
    def set_canonicals(self, canonicals: Iterable[tuple[str, int]]) -> None: ...
    def add_entity(self, row: EntityRow) -> None: ...
    def entity(self, entity: str) -> EntityRow | None: ...
    def entities(self, ids: Iterable[str]) -> dict[str, EntityRow]: ...
    def iter_entities(self) -> Iterator[EntityRow]: ...
    def merged_from(self, entity: str) -> list[str]: ...
    def update_entity(self, entity: str, **fields: Any) -> None: ...
    def add_decision(self, fields: Mapping[str, Any]) -> int: ...
    def decisions(self, after: int = 0) -> list[dict[str, Any]]: ...
    def add_review(self, fields: Mapping[str, Any]) -> int: ...
    def reviews(self) -> list[dict[str, Any]]: ...
    def add_batch(self, source: str | None, at: str, rows: int) -> int: ...


class SQLiteStore:
    """A :class:`Store` in one SQLite file (or ``":memory:"``).

    ``timeout`` is how long a writer waits for another one before
    :class:`DatabaseLockedError`. A new or empty file gets the schema; a file of another
    kind raises :class:`NotAGazetteerError`, a newer schema :class:`NewerSchemaError`. A
    schema-1 file (text keys) is marked :attr:`outdated`: the gazetteer opening it calls
    :meth:`upgrade` and rebuilds the index in one transaction (a read-only one raises
    :class:`ReadOnlyError`).

    The index is written for speed: keys are 60-bit numbers, rows go in sorted by key, a
    spelling that folds like a stored one gets no rows (``keys_of``), and only the keys
    over the bound have a ``buckets`` row. Those rows are few; the store keeps them in
    memory between transactions while no other connection commits (``PRAGMA
    data_version``), and drops them when a transaction rolls back.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self.read_only = False
        self.outdated = False  # schema 1: upgrade() before use
        # The rows of ``buckets`` (few: the keys over the bound), kept between transactions
        # while no other connection wrote (``PRAGMA data_version``) and none rolled back.
        self._big: dict[int, Bucket] | None = None
        self._version = -1
        self.connection = self._connect()
        try:
            self._prepare()
        except BaseException:
            self.connection.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        memory = self.path == ":memory:"
        if not memory and Path(self.path).is_dir():
            raise NotAGazetteerError(f"{self.path}: is a directory, not a database")
        file = Path(self.path)
        # A file nobody may write is read-only even for root, whom os.access lets write.
        if not memory and file.exists() and (not os.access(file, os.W_OK)
                                             or not file.stat().st_mode & 0o222):
            self.read_only = True
        elif not memory and not file.exists() and not file.parent.is_dir():
            raise StoreError(f"{self.path}: cannot create the database (no folder "
                             f"{file.parent})")
        elif not memory and not file.exists() and not os.access(file.parent or ".", os.W_OK):
            raise ReadOnlyError(f"{self.path}: cannot create the database (folder not writable)")
        try:
            if self.read_only:
                uri = file.resolve().as_uri() + "?mode=ro"
                connection = sqlite3.connect(uri, uri=True, timeout=self.timeout,
                                             isolation_level=None)
            else:
                connection = sqlite3.connect(self.path, timeout=self.timeout,
                                             isolation_level=None)
        except sqlite3.Error as err:
            raise translate(err, self.path) from err
        return connection

    def _prepare(self) -> None:
        run = self.connection.execute
        try:
            run(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            tables = {row[0] for row in run(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as err:
            raise translate(err, self.path) from err
        if not tables:
            if self.read_only:
                raise NotAGazetteerError(f"{self.path}: empty and read-only")
            self._create()
        elif not tables >= _EXPECTED:
            raise NotAGazetteerError(f"{self.path}: not a namematch gazetteer "
                                     "(an SQLite database with other tables)")
        schema = int(self.meta("schema") or 0)
        if schema > SCHEMA:
            raise NewerSchemaError(f"{self.path}: written by a newer namematch (schema "
                                   f"{schema}; this one reads up to {SCHEMA}); upgrade namematch")
        if schema < SCHEMA:
            if self.read_only:
                raise ReadOnlyError(f"{self.path}: written by an older namematch (schema "
                                    f"{schema}); open it writable once to upgrade it")
            self.outdated = True
        if not self.read_only:
            try:
                run("PRAGMA journal_mode = WAL")
                run("PRAGMA synchronous = NORMAL")
                # Keep the index's pages between batches: each batch reads and writes rows
                # all over it, which the default 2 MB cache re-reads from the file each time.
                run(f"PRAGMA cache_size = -{_CACHE_KIB}")
                # A batch writes thousands of pages: checkpoint every few batches, not each.
                run(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT}")
            except sqlite3.Error as err:
                raise translate(err, self.path) from err

    def _create(self) -> None:
        with self.writing():
            for statement in _TABLES.split(";"):
                if statement.strip():
                    self.connection.execute(statement)
            self.set_meta("schema", str(SCHEMA))
            self.set_meta("next", "1")

    def upgrade(self) -> None:
        """Bring a schema-1 database (text keys) to this schema, inside the caller's write
        transaction: the blocking index is emptied, to be rebuilt in the same transaction
        (:meth:`namematch.Gazetteer.rebuild`); ids, spellings and decisions are kept."""
        self._run("ALTER TABLE spellings ADD COLUMN keys_of INTEGER")
        self._run("DROP TABLE keys")
        self._run("DROP TABLE buckets")
        for statement in _INDEX.split(";"):
            if statement.strip():
                self._run(statement)
        self.set_meta("schema", str(SCHEMA))
        self.outdated = False
        self._big = None

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
        self.connection.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A consistent snapshot for several reads (nested calls join the outer one)."""
        if self.connection.in_transaction:
            yield
            return
        try:
            self.connection.execute("BEGIN")
            self._check_version()
            yield
        except sqlite3.Error as err:
            self._rollback()
            raise translate(err, self.path) from err
        except BaseException:
            self._rollback()
            raise
        self.connection.execute("COMMIT")

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction: all of it is committed, or none of it."""
        if self.read_only:
            raise ReadOnlyError(f"{self.path}: the database file is read-only")
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            self._check_version()
        except sqlite3.Error as err:
            self._rollback()
            raise translate(err, self.path) from err
        try:
            yield
            self.commit()
        except sqlite3.Error as err:
            self._rollback()
            raise translate(err, self.path) from err
        except BaseException:
            self._rollback()
            raise

    def commit(self) -> None:
        """Commit the open write transaction."""
        self.connection.execute("COMMIT")

    def _check_version(self) -> None:
        """Forget the kept buckets if another connection committed since they were read."""
        version = int(self.connection.execute("PRAGMA data_version").fetchone()[0])
        if version != self._version:
            self._big, self._version = None, version

    def _buckets(self) -> dict[int, Bucket]:
        """The keys over the bound: (size, leaders) by key."""
        if self._big is None:
            self._big = {int(k): (int(n), _leaders(leaders)) for k, n, leaders in
                         self._run("SELECT key, size, leaders FROM buckets")}
        return self._big

    def big_keys(self) -> Set[int]:
        """The keys shared by more spellings than the bound (they have leaders)."""
        return self._buckets().keys()

    def _rollback(self) -> None:
        self._big = None
        if self.connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("ROLLBACK")

    def _run(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()
             ) -> sqlite3.Cursor:
        try:
            return self.connection.execute(sql, parameters)
        except sqlite3.Error as err:
            raise translate(err, self.path) from err

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.connection.executemany(sql, rows)
        except sqlite3.Error as err:
            raise translate(err, self.path) from err

    def meta(self, key: str) -> str | None:
        """A value of the meta table."""
        row = self._run("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        self._run("INSERT INTO meta (key, value) VALUES (?, ?) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def _fill(self, table: str, rows: Iterable[Sequence[Any]], columns: str) -> None:
        """Fill a temporary table (a batch's lookups join it rather than build long SQL)."""
        self._run(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
        self._run(f"DELETE FROM {table}")
        marks = ", ".join("?" * len(columns.split(",")))
        self._many(f"INSERT INTO {table} VALUES ({marks})", rows)

    _SPELLING = "s.id, s.text, s.shown, s.entity, s.mentions, s.single, s.keys_of"

    def spellings_by_text(self, texts: Iterable[str]) -> dict[str, SpellingRow]:
        """The stored spellings among ``texts``."""
        self._fill("wanted_text", ((t,) for t in texts), "text TEXT")
        rows = self._run(f"SELECT {self._SPELLING} FROM wanted_text w "
                         "JOIN spellings s ON s.text = w.text")
        return {row[1]: _spelling(row) for row in rows}

    def spellings_by_id(self, ids: Iterable[int]) -> dict[int, SpellingRow]:
        """The stored spellings of ``ids``."""
        self._fill("wanted_id", ((i,) for i in ids), "id INTEGER")
        rows = self._run(f"SELECT {self._SPELLING} FROM wanted_id w "
                         "JOIN spellings s ON s.id = w.id")
        return {row[0]: _spelling(row) for row in rows}

    def spellings_of(self, entity: str) -> list[SpellingRow]:
        """The spellings of one entity, oldest first."""
        rows = self._run(f"SELECT {self._SPELLING} FROM spellings s WHERE s.entity = ? "
                         "ORDER BY s.id", (entity,))
        return [_spelling(row) for row in rows]

    def spelling_count(self) -> int:
        """How many distinct spellings are stored."""
        return int(self._run("SELECT count(*) FROM spellings").fetchone()[0])

    def with_full_names(self, entities: Iterable[str]) -> set[str]:
        """Which of ``entities`` have a spelling of two or more parts."""
        self._fill("wanted_entity", ((e,) for e in entities), "id TEXT")
        rows = self._run("SELECT w.id FROM wanted_entity w WHERE EXISTS (SELECT 1 FROM "
                         "spellings s WHERE s.entity = w.id AND s.single = 0)")
        return {str(row[0]) for row in rows}

    def iter_spellings(self, after: int, limit: int) -> list[SpellingRow]:
        """Up to ``limit`` spellings of id above ``after``, by id (to stream them all)."""
        rows = self._run(f"SELECT {self._SPELLING} FROM spellings s WHERE s.id > ? "
                         "ORDER BY s.id LIMIT ?", (after, limit))
        return [_spelling(row) for row in rows]

    def candidates(self, probes: Sequence[tuple[int, int, bool]],
                   bound: int, limit: int) -> list[tuple[int, int]]:
        """Stored spellings sharing a key with the probed names, as (probe, spelling): up
        to ``limit`` for each probed name, those sharing the most keys with it.

        ``probes`` are (name number, key, whether the name has one part). A part key
        (at or above :data:`PART_KEY`) pairs a one-part name with any spelling, and a longer
        name with one-part spellings only; a combined key pairs longer names. A key shared
        by more than ``bound`` spellings (a row of ``buckets``) gives only its
        most-mentioned longer spellings. A spelling found brings those indexed as it (see
        ``keys_of``) that belong to other entities.
        """
        big = self._buckets()
        self._fill("probe", sorted((p for p in probes if p[1] not in big), key=lambda p: p[1]),
                   "name INTEGER, key INTEGER, single INTEGER")
        found: list[tuple[int, int]] = self._run(
            "SELECT p.name, k.spelling FROM probe p JOIN keys k ON k.key = p.key "
            "WHERE p.single OR k.single OR p.key < ?", (PART_KEY,)).fetchall()
        for name, key, single in probes:
            if key in big and (single or key < PART_KEY):
                found.extend((name, spelling) for spelling, _ in big[key][1])
        return self._with_followers(_closest(found, limit))

    def _with_followers(self, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Add the spellings indexed as the ones found (``keys_of``) that belong to another
        entity: one of the same entity folds like the one found, and would only repeat its
        comparisons."""
        self._fill("wanted_id", ((i,) for i in {spelling for _, spelling in found}),
                   "id INTEGER")
        followers: dict[int, list[int]] = {}
        for lead, spelling in self._run(
                "SELECT s.keys_of, s.id FROM wanted_id w JOIN spellings s ON s.keys_of = w.id "
                "JOIN spellings r ON r.id = w.id WHERE s.entity <> r.entity"):
            followers.setdefault(lead, []).append(spelling)
        if followers:
            found.extend((name, other) for name, spelling in list(found)
                         for other in followers.get(spelling, ()))
        return found

    def part_frequency(self, skeletons: Iterable[str]) -> dict[str, int]:
        """How many stored spellings have a part of each of ``skeletons``."""
        self._fill("wanted_part", ((s,) for s in skeletons), "skeleton TEXT")
        rows = self._run("SELECT p.skeleton, p.names FROM wanted_part w "
                         "JOIN parts p ON p.skeleton = w.skeleton")
        return {str(s): int(n) for s, n in rows}

    def add_spellings(self, rows: Sequence[tuple[str, str, str, int, bool, int | None]],
                      batch: int | None) -> list[int]:
        """Store new spellings (text, shown, entity, mentions, one part?, keys_of); their
        ids, consecutive in the order given. ``keys_of`` is a stored spelling's id, or
        ``-(k + 1)`` for the ``k``-th row of the same call, or None."""
        first = int(self._run("SELECT coalesce(max(id), 0) + 1 FROM spellings").fetchone()[0])

        def lead(keys_of: int | None) -> int | None:
            return first - keys_of - 1 if keys_of is not None and keys_of < 0 else keys_of

        self._many("INSERT INTO spellings (id, text, shown, entity, mentions, single, batch, "
                   "keys_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   ((first + k, text, shown, entity, mentions, int(single), batch, lead(keys_of))
                    for k, (text, shown, entity, mentions, single, keys_of) in enumerate(rows)))
        return list(range(first, first + len(rows)))

    def add_mentions(self, counts: Mapping[int, int]) -> None:
        """Count more mentions of stored spellings, by spelling id."""
        self._many("UPDATE spellings SET mentions = mentions + ? WHERE id = ?",
                   ((n, i) for i, n in counts.items()))

    def index(self, keys: Sequence[tuple[int, int, bool]], touched: Touched,
              skeletons: Mapping[str, int], bound: int) -> None:
        """Index new spellings: their (key, spelling id, one part?) rows, and for each key
        shared by more than ``bound`` spellings its size and leaders (``touched``: the new
        or more-mentioned spellings per key); and how many more spellings have a part of
        each skeleton. Mention counts must be current."""
        self._many("INSERT OR IGNORE INTO keys (key, spelling, single) VALUES (?, ?, ?)",
                   sorted((k, s, int(one)) for k, s, one in keys))
        grown: dict[int, int] = {}
        for key, _, _ in keys:
            grown[key] = grown.get(key, 0) + 1
        big = self._buckets()
        stored = {key: big[key] for key in touched if key in big}
        rows = [(key, self._bucket(key, size + grown.get(key, 0), leaders, touched[key]))
                for key, (size, leaders) in stored.items()]
        self._fill("grown_key", ((k,) for k in sorted(grown) if k not in stored), "key INTEGER")
        rows += [(key, self._bucket(key, size, None, ())) for key, size in self._run(
            "SELECT g.key, count(*) FROM grown_key g JOIN keys k ON k.key = g.key "
            "GROUP BY g.key HAVING count(*) > ?", (bound,)).fetchall()]
        changed = [(key, bucket) for key, bucket in rows if big.get(key) != bucket]
        self._many("INSERT INTO buckets (key, size, leaders) VALUES (?, ?, ?) ON CONFLICT (key) "
                   "DO UPDATE SET size = excluded.size, leaders = excluded.leaders",
                   ((key, size, " ".join(f"{s}:{m}" for s, m in leaders))
                    for key, (size, leaders) in changed))
        big.update(changed)
        self._many("INSERT INTO parts (skeleton, names) VALUES (?, ?) ON CONFLICT (skeleton) "
                   "DO UPDATE SET names = names + excluded.names", skeletons.items())

    def _bucket(self, key: int, size: int, leaders: tuple[tuple[int, int], ...] | None,
                spellings: Sequence[tuple[int, int, bool]]) -> Bucket:
        """A big bucket: its size and leaders, ranked from the tables when it has none yet
        (it just went over the bound), else updated with the touched spellings."""
        if leaders is None:
            best = dict(self._leaders_of(key))
        else:
            entering = _entering(leaders, spellings)
            if not entering:  # most keys: the touched spellings all rank below the leaders
                return size, leaders
            best = dict(leaders)
            best.update(entering)
        return size, tuple(sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:LEADERS])

    def _leaders_of(self, key: int) -> list[tuple[int, int]]:
        """The longer spellings of a key mentioned most, from the tables."""
        rows = self._run("SELECT k.spelling, s.mentions FROM keys k JOIN spellings s "
                         "ON s.id = k.spelling WHERE k.key = ? AND k.single = 0 "
                         "ORDER BY s.mentions DESC, s.id LIMIT ?", (key, LEADERS))
        return [(int(spelling), int(mentions)) for spelling, mentions in rows]

    def clear_index(self) -> None:
        """Drop the blocking index and part counts (before :meth:`index` rebuilds them)."""
        for table in ("keys", "buckets", "parts"):
            self._run(f"DELETE FROM {table}")
        self._big = None
        self._run("UPDATE spellings SET keys_of = NULL WHERE keys_of IS NOT NULL")

    def index_as(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Let spellings use another's index rows: (spelling, keys_of) pairs (a rebuild)."""
        self._many("UPDATE spellings SET keys_of = ? WHERE id = ?",
                   ((lead, spelling) for spelling, lead in pairs))

    def move_spellings(self, ids: Iterable[int], entity: str) -> None:
        """Give spellings to another entity."""
        self._many("UPDATE spellings SET entity = ? WHERE id = ?", ((entity, i) for i in ids))

    def mint(self, name: str, canonical: int | None, at: str) -> str:
        """A new entity, with an id never used before in this database."""
        return self.mint_all([(name, canonical)], at)[0]

    def mint_all(self, entities: Sequence[tuple[str, int | None]], at: str) -> list[str]:
        """New entities (name, canonical spelling id), with ids never used before in this
        database, numbered in the order given."""
        first = int(self.meta("next") or 1)
        ids = [f"E{first + k}" for k in range(len(entities))]
        self._many("INSERT INTO entities (id, seq, name, pinned, canonical, created) "
                   "VALUES (?, ?, ?, 0, ?, ?)",
                   ((entity, first + k, name, canonical, at) for k, (entity, (name, canonical))
                    in enumerate(zip(ids, entities, strict=True))))
        self.set_meta("next", str(first + len(entities)))
        return ids

    def set_canonicals(self, canonicals: Iterable[tuple[str, int]]) -> None:
        """Set the canonical spelling of entities: (entity, spelling id) pairs."""
        self._many("UPDATE entities SET canonical = ? WHERE id = ?",
                   ((spelling, entity) for entity, spelling in canonicals))

    def add_entity(self, row: EntityRow) -> None:
        """Store an entity as it is (an import): its id and number are kept."""
        self._run("INSERT INTO entities (id, seq, name, pinned, canonical, merged_into, created) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (row.id, row.seq, row.name, int(row.pinned), row.canonical, row.merged_into,
                   row.created))
        if row.seq >= int(self.meta("next") or 1):
            self.set_meta("next", str(row.seq + 1))

    _ENTITY = "id, seq, name, pinned, canonical, merged_into, created"

    def entity(self, entity: str) -> EntityRow | None:
        """One entity by id, or None."""
        row = self._run(f"SELECT {self._ENTITY} FROM entities WHERE id = ?", (entity,)).fetchone()
        return None if row is None else _entity(row)

    def entities(self, ids: Iterable[str]) -> dict[str, EntityRow]:
        """The entities of ``ids`` that exist."""
        self._fill("wanted_entity", ((i,) for i in ids), "id TEXT")
        rows = self._run(f"SELECT {', '.join('e.' + c for c in self._ENTITY.split(', '))} "
                         "FROM wanted_entity w JOIN entities e ON e.id = w.id")
        return {row[0]: _entity(row) for row in rows}

    def iter_entities(self) -> Iterator[EntityRow]:
        """Every entity, in the order they were minted."""
        last = 0
        while True:
            rows = self._run(f"SELECT {self._ENTITY} FROM entities WHERE seq > ? "
                             "ORDER BY seq LIMIT 1000", (last,)).fetchall()
            if not rows:
                return
            for row in rows:
                yield _entity(row)
            last = rows[-1][1]

    def merged_from(self, entity: str) -> list[str]:
        """The ids merged into ``entity``, directly or through other merged ids."""
        rows = self._run(
            "WITH RECURSIVE gone (id) AS (SELECT id FROM entities WHERE merged_into = ? "
            "UNION SELECT e.id FROM entities e JOIN gone g ON e.merged_into = g.id) "
            "SELECT id FROM gone ORDER BY id", (entity,))
        return [str(row[0]) for row in rows]

    _EDITABLE = frozenset({"name", "pinned", "canonical", "merged_into"})

    def update_entity(self, entity: str, **fields: Any) -> None:
        """Change some of an entity's ``name``, ``pinned``, ``canonical``, ``merged_into``."""
        for column, value in fields.items():
            if column not in self._EDITABLE:
                raise ValueError(f"not an entity field: {column}")
            self._run(f"UPDATE entities SET {column} = ? WHERE id = ?", (value, entity))

    _DECISION = ("id", "kind", "a", "b", "a_name", "b_name", "by", "at", "score", "note",
                 "undoes", "effect")

    def add_decision(self, fields: Mapping[str, Any]) -> int:
        """Append a decision (its ``id`` kept if given, for imports); its id."""
        columns = [c for c in self._DECISION if c in fields]
        cursor = self._run(
            f"INSERT INTO decisions ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})", [fields[c] for c in columns])
        return int(cursor.lastrowid or 0)

    def decisions(self, after: int = 0) -> list[dict[str, Any]]:
        """The decisions log from id ``after`` on, oldest first."""
        rows = self._run(f"SELECT {', '.join(self._DECISION)} FROM decisions WHERE id > ? "
                         "ORDER BY id", (after,))
        return [dict(zip(self._DECISION, row, strict=True)) for row in rows]

    _REVIEW = ("id", "a", "b", "name", "score", "at", "batch")

    def add_review(self, fields: Mapping[str, Any]) -> int:
        """Record a pair of entities a new name bridged."""
        columns = [c for c in self._REVIEW if c in fields]
        cursor = self._run(
            f"INSERT INTO reviews ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})", [fields[c] for c in columns])
        return int(cursor.lastrowid or 0)

    def reviews(self) -> list[dict[str, Any]]:
        """Every review item, oldest first."""
        rows = self._run(f"SELECT {', '.join(self._REVIEW)} FROM reviews ORDER BY id")
        return [dict(zip(self._REVIEW, row, strict=True)) for row in rows]

    def add_batch(self, source: str | None, at: str, rows: int) -> int:
        """Record a batch of names added; its number."""
        cursor = self._run("INSERT INTO batches (source, at, rows) VALUES (?, ?, ?)",
                           (source, at, rows))
        return int(cursor.lastrowid or 0)


def _spelling(row: Sequence[Any]) -> SpellingRow:
    return SpellingRow(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6])


def _entity(row: Sequence[Any]) -> EntityRow:
    return EntityRow(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6])


def _closest(found: Sequence[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` spellings for each probe: those found through the most keys (then
    the oldest), from (probe, spelling) rows, one per key shared."""
    shared: dict[int, dict[int, int]] = {}
    for name, spelling in found:
        counts = shared.setdefault(name, {})
        counts[spelling] = counts.get(spelling, 0) + 1
    out: list[tuple[int, int]] = []
    for name, counts in shared.items():
        if len(counts) > limit:
            kept = sorted(counts, key=lambda spelling: (-counts[spelling], spelling))[:limit]
            out.extend((name, spelling) for spelling in kept)
        else:
            out.extend((name, spelling) for spelling in counts)
    return out


def _entering(leaders: tuple[tuple[int, int], ...],
              spellings: Sequence[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    """The touched longer spellings (id, mentions) that may change a bucket's ``leaders``
    (ranked most mentioned first, then oldest): all of them while the list is not full,
    else those ranking above its last. Mentions only grow, so a leader touched is one."""
    if len(leaders) < LEADERS:
        return [(spelling, mentions) for spelling, mentions, single in spellings if not single]
    last_spelling, last_mentions = leaders[-1]
    return [(spelling, mentions) for spelling, mentions, single in spellings
            if not single and (mentions > last_mentions
                               or (mentions == last_mentions and spelling < last_spelling))]


def _leaders(text: str) -> tuple[tuple[int, int], ...]:
    """A bucket's leaders, stored as ``"spelling:mentions ..."``."""
    out = []
    for item in text.split():
        spelling, _, mentions = item.partition(":")
        out.append((int(spelling), int(mentions)))
    return tuple(out)


# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _FULL, _NOTADB, _CANTOPEN = 5, 6, 8, 13, 26, 14


def translate(err: sqlite3.Error, path: str) -> StoreError:
    """The typed error for an SQLite failure, with one clear line."""
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return DatabaseLockedError(f"{path}: locked by another writer (waited for the "
                                   "busy timeout; try again later)")
    if code == _READONLY:
        return ReadOnlyError(f"{path}: the database cannot be written ({err})")
    if code == _FULL:
        return DiskFullError(f"{path}: disk or database size limit full; the batch was "
                             "rolled back, nothing stored changed")
    if code == _NOTADB:
        return NotAGazetteerError(f"{path}: not a namematch gazetteer (not an SQLite file)")
    if code == _CANTOPEN:
        return StoreError(f"{path}: cannot open the database ({err})")
    return StoreError(f"{path}: database error: {err}")
