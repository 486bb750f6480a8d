"""A gazetteer: known entities with stable ids, new names linked to them, decisions kept.

>>> with Gazetteer() as gaz:
...     first = gaz.add(["Ahmed al-Mesmari", "Ahmed al-Mismari", "Hassan Nasrallah"])
...     later = gaz.add(["Mesmari", "Hasan Nasrallah", "Khalifa Haftar"])
>>> [(link.entity, link.status) for link in first]
[('E1', 'new'), ('E1', 'new'), ('E2', 'new')]
>>> [(link.entity, link.status) for link in later]
[('E1', 'linked'), ('E2', 'linked'), ('E3', 'new')]

Entities live in a :class:`namematch.store.Store` (SQLite by default). Each batch given to
:meth:`Gazetteer.add` is resolved within itself as :func:`namematch.resolve` resolves a
list, and together with the stored spellings that share a blocking key with its names:
stored spellings keep their entity, a new name joins the stored entity its group reaches
(the best-scoring one; a group reaching two is listed by :meth:`Gazetteer.review`), other
groups become new entities. Stored entities are never merged or split but by a decision.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final, Literal

from . import _linking as linking
from .aliases import AliasTable, load_aliases
from .compare import DEFAULT_THRESHOLD, Match, compare
from .errors import InputError, NamematchError
from .keys import KeyCache, key_numbers
from .normalize import normalize
from .parse import Name, parse
from .store import SCHEMA, EntityRow, SpellingRow, SQLiteStore, Store, StoreError

__all__ = [
    "Candidate",
    "Decision",
    "DecisionError",
    "Entity",
    "Gazetteer",
    "Link",
    "Review",
    "RulesChangedWarning",
    "StaleIndexError",
    "UnknownEntityError",
]

BOUND: Final = 20
"""A stored key shared by more spellings than this gives a new name only its most-mentioned
longer spellings (the store keeps them per key). Lower than resolve's bucket bound
(``resolve.MAX_BUCKET``): a new name meets the stored spellings of each of its keys, where
resolve pairs a name of a big bucket with its neighbours in name order only."""
CLOSEST: Final = 15
"""A new name meets at most this many stored spellings (and those indexed as them): the
ones that share the most blocking keys with it."""
_Keyed = tuple[int, set[int], bool, int]  # a spelling to index: id, keys, one part?, mentions
_CHUNK: Final = 5000  # spellings per step when the whole index is rebuilt
_PARSED: Final = 1 << 16  # parsed spellings kept from one batch to the next, at most

Verdict = Literal["same", "different"]


class DecisionError(NamematchError):
    """A decision that cannot be taken or undone as asked."""


class UnknownEntityError(NamematchError, KeyError):
    """No entity has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown entity"


class StaleIndexError(NamematchError):
    """The stored blocking index was built with other rules: :meth:`Gazetteer.rebuild`."""


class RulesChangedWarning(UserWarning):
    """Opening a database indexed with the rules of another namematch version."""


@dataclass(frozen=True)
class Link:
    """One input name linked: its entity, the entity's canonical name, the name's score
    against it, and ``status``: ``known`` (a stored spelling), ``linked`` (joined a stored
    entity), ``review`` (joined one and bridged another, see :meth:`Gazetteer.review`),
    ``new`` (a new entity), ``none`` (:meth:`Gazetteer.link`: no entity), or ``blank``."""

    name: str
    entity: str
    canonical: str
    score: float
    status: str


@dataclass(frozen=True)
class Candidate:
    """An entity a name may belong to (:meth:`Gazetteer.match`): its best spelling for the
    name, the score and the per-part explanation (``match.explain()``)."""

    entity: str
    canonical: str
    spelling: str
    score: float
    decision: str
    match: Match


@dataclass(frozen=True)
class Entity:
    """A stored entity: display name, spellings with mention counts, ids merged into it."""

    id: str
    name: str
    pinned: bool
    spellings: tuple[tuple[str, int], ...]
    merged: tuple[str, ...]

    @property
    def mentions(self) -> int:
        """All mentions of the entity's spellings."""
        return sum(count for _, count in self.spellings)


@dataclass(frozen=True)
class Decision:
    """A human decision on two entities (ids as they were when it was taken)."""

    id: int
    kind: str
    a: str
    b: str
    a_name: str
    b_name: str
    by: str | None
    at: str
    score: float | None
    note: str | None
    undone: bool


@dataclass(frozen=True)
class Review:
    """Two entities a new name bridged: decide whether they are one."""

    id: int
    a: str
    a_name: str
    b: str
    b_name: str
    name: str
    score: float


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Gazetteer:
    """Known entities in a database, new names linked to them, human decisions kept.

    ``path`` is an SQLite file (created if missing) or ``":memory:"``; ``aliases`` default
    to the shipped table; ``threshold`` is the least score for one entity; ``timeout`` is
    how many seconds a writer waits for another. Use it as a context manager (or call
    :meth:`close`). Opening a database indexed with other rules warns
    (:class:`RulesChangedWarning`); :meth:`add` then asks for :meth:`rebuild`.
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:", *,
                 aliases: AliasTable | None = None, threshold: float = DEFAULT_THRESHOLD,
                 timeout: float = 5.0, store: Store | None = None) -> None:
        self.table = aliases if aliases is not None else load_aliases()
        self.threshold = threshold
        self.rules = linking.rules_version()
        # The keys of the parts this gazetteer has seen, and the similarities of the part
        # forms it has compared, kept from batch to batch (both bounded; neither depends
        # on a batch's part weights).
        self.key_cache = KeyCache(texts=False)
        self.similar = linking.PartSimilarity(self.table)
        # Spellings parsed and their keys, by normalized text: a stored spelling is met and
        # mentioned again by many batches.
        self.parsed: dict[str, Name] = {}
        self.key_sets: dict[str, set[int]] = {}
        self.skeleton_sets: dict[str, set[str]] = {}
        self._store: Store = store if store is not None else SQLiteStore(path, timeout=timeout)
        try:
            if self._store.outdated:  # schema 1: new tables and the index, in one transaction
                with self._store.writing():
                    self._store.upgrade()
                    self._rebuild_index()
            self.stale = self._check_rules()
        except BaseException:
            self._store.close()
            raise

    def _check_rules(self) -> bool:
        with self._store.reading():
            stored, empty = self._store.meta("rules"), self._store.spelling_count() == 0
        if stored == self.rules:
            return False
        if empty and not getattr(self._store, "read_only", False):
            with self._store.writing():
                self._store.set_meta("rules", self.rules)
            return False
        warnings.warn(RulesChangedWarning(
            f"{self._store.path}: indexed with other rules (rules {stored}, now {self.rules}); "
            "run Gazetteer.rebuild() (namematch rebuild --db ...) before adding names"),
            stacklevel=3)
        return True

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._store.close()

    # -- linking --------------------------------------------------------------------------

    def add(self, names: Iterable[str], *, source: str | None = None) -> list[Link]:
        """Link a batch of names and store them; one :class:`Link` per input, in order.

        The whole batch is one transaction: after a crash it is stored whole or not at all.
        """
        rows = list(names)
        self._trim()
        with linking.collector_paused(), self._store.writing():
            self._fresh()
            plan = _Plan(self, rows)
            plan.save(source)
            return plan.links(read_only=False)

    def link(self, names: Iterable[str]) -> list[Link]:
        """Screen names against the stored entities without storing anything: each name's
        entity as :meth:`add` would link it, or ``none`` (entity ``""``)."""
        rows = list(names)
        self._trim()
        with linking.collector_paused(), self._store.reading():
            plan = _Plan(self, rows)
            return plan.links(read_only=True)

    def match(self, name: str, *, limit: int = 5) -> list[Candidate]:
        """The ``limit`` best stored entities for one name, best first, read-only."""
        text = normalize(name)
        if not text or limit <= 0:
            return []
        parsed = parse(text)
        with self._store.reading():
            exact = self._store.spellings_by_text([text])
            found = {spelling for _, spelling in self._store.candidates(
                [(0, key, len(parsed.parts) == 1) for key in key_numbers(parsed, self.key_cache)],
                BOUND, CLOSEST)}
            found.update(row.id for row in exact.values())
            found.update(row.id for row in self._alias_spellings([text]).values())
            rows = self._store.spellings_by_id(found)
            weights = self._weights([parsed, *(parse(r.text) for r in rows.values())], [parsed])
            best: dict[str, tuple[float, Match, SpellingRow]] = {}
            for row in rows.values():
                result = compare(parsed, parse(row.text), aliases=self.table, weights=weights,
                                 threshold=self.threshold)
                if row.entity not in best or result.score > best[row.entity][0]:
                    best[row.entity] = (result.score, result, row)
            ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
            names = self._store.entities(entity for entity, _ in ranked)
        return [Candidate(entity, names[entity].name, row.shown, round(score, 3),
                          result.decision, result)
                for entity, (score, result, row) in ranked]

    def _parse(self, text: str) -> Name:
        """A normalized spelling parsed, once while it stays in :attr:`parsed`."""
        found = self.parsed.get(text)
        if found is None:
            found = self.parsed[text] = parse(text)
        return found

    def _trim(self) -> None:
        """Before a batch: drop the parsed spellings if more than ``_PARSED`` are kept (a
        batch's own stay until the next one, held by the batch anyway)."""
        if len(self.parsed) > _PARSED:
            self.parsed.clear()
        if len(self.key_sets) > _PARSED:
            self.key_sets.clear()
        if len(self.skeleton_sets) > _PARSED:
            self.skeleton_sets.clear()

    def _skeletons(self, name: Name) -> set[str]:
        """The part skeletons of a parsed spelling (what part weights count), kept."""
        found = self.skeleton_sets.get(name.text)
        if found is None:
            found = self.skeleton_sets[name.text] = linking.skeletons(name)
        return found

    def _keys(self, name: Name) -> set[int]:
        """The blocking keys of a parsed spelling, once while it stays in :attr:`key_sets`."""
        found = self.key_sets.get(name.text)
        if found is None:
            found = self.key_sets[name.text] = key_numbers(name, self.key_cache)
        return found

    def _fresh(self) -> None:
        if self.stale:
            raise StaleIndexError(f"{self._store.path}: the index was built with other rules; "
                                  "run rebuild() (namematch rebuild --db ...) first")

    def _weights(self, parsed: Sequence[Name], new: Sequence[Name]) -> linking.Weights:
        """Part weights over the stored spellings and the ``new`` names of a batch."""
        wanted: set[str] = set()
        for name in parsed:
            wanted |= self._skeletons(name)
        frequency = self._store.part_frequency(wanted)
        for name in new:
            for skeleton in self._skeletons(name):
                frequency[skeleton] = frequency.get(skeleton, 0) + 1
        return linking.weights_from(frequency, self._store.spelling_count() + len(new))

    def _alias_spellings(self, texts: Iterable[str]) -> dict[str, SpellingRow]:
        """Stored spellings in a whole-name alias group with one of ``texts``."""
        if not self.table.names:
            return {}
        groups = self.table.name_groups()
        wanted = {other for text in texts for group in self.table.names.get(text, ())
                  for other in groups[group]}
        return self._store.spellings_by_text(wanted) if wanted else {}

    # -- entities -------------------------------------------------------------------------

    def resolve_id(self, entity: str) -> str:
        """The id an entity has now: itself, or the id it was merged into."""
        with self._store.reading():
            return self._current(entity)

    def _current(self, entity: str) -> str:
        seen = set()
        row = self._store.entity(entity)
        if row is None:
            raise UnknownEntityError(f"no entity {entity!r}")
        while row.merged_into is not None and row.id not in seen:
            seen.add(row.id)
            following = self._store.entity(row.merged_into)
            if following is None:
                break
            row = following
        return row.id

    def entity(self, entity: str) -> Entity:
        """An entity by id (a merged id gives the entity it was merged into)."""
        with self._store.reading():
            row = self._store.entity(self._current(entity))
            assert row is not None
            spellings = self._store.spellings_of(row.id)
            merged = self._store.merged_from(row.id)
        ordered = sorted(spellings, key=lambda s: (-s.mentions, s.shown))
        return Entity(row.id, row.name, row.pinned,
                      tuple((s.shown, s.mentions) for s in ordered), tuple(merged))

    def set_name(self, entity: str, name: str) -> None:
        """Set the name an entity is shown by; later names never replace it."""
        if not name.strip():
            raise InputError("an entity's name cannot be blank")
        with self._store.writing():
            self._store.update_entity(self._current(entity), name=name.strip(), pinned=1)

    # -- decisions ------------------------------------------------------------------------

    def decide(self, a: str, b: str, verdict: Verdict, *, by: str | None = None,
               note: str | None = None) -> Decision:
        """Record that ``a`` and ``b`` (names or entity ids) are the ``same`` entity (the
        older id survives, the other stays resolvable to it) or ``different`` ones (an
        entity holding both is split; no later batch merges them)."""
        if verdict not in ("same", "different"):
            raise InputError(f"a decision is 'same' or 'different', not {verdict!r}")
        with self._store.writing():
            self._fresh()
            return _Decide(self, by, note).take(a, b, verdict)

    def undo(self, decision: int) -> Decision:
        """Undo a decision (logged as a decision of its own); the state before it returns.
        Only the latest decision on its entities can be undone."""
        with self._store.writing():
            return _Decide(self, None, None).undo(decision)

    def decisions(self) -> list[Decision]:
        """The decision log, oldest first (undos are entries of kind ``undo``)."""
        with self._store.reading():
            rows = self._store.decisions()
        undone = {row["undoes"] for row in rows if row["kind"] == "undo"}
        return [_decision(row, row["id"] in undone) for row in rows]

    def review(self) -> list[Review]:
        """Pairs of entities that a new name bridged and no decision has settled yet."""
        with self._store.reading():
            settled = set()
            for row in self._store.decisions():
                if row["a"] and row["b"]:
                    settled.add(frozenset((self._current(row["a"]), self._current(row["b"]))))
            out, seen = [], set()
            for item in self._store.reviews():
                a, b = self._current(item["a"]), self._current(item["b"])
                pair = frozenset((a, b))
                if a == b or pair in settled or pair in seen:
                    continue
                seen.add(pair)
                names = self._store.entities([a, b])
                out.append(Review(item["id"], a, names[a].name, b, names[b].name, item["name"],
                                  item["score"]))
        return out

    # -- export, import, rebuild ----------------------------------------------------------

    def export(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write entities, decisions and review items as JSON lines, to a path (written
        atomically) or a text stream."""
        if isinstance(target, str | os.PathLike):
            _write_atomically(Path(target), self._export_lines())
        else:
            for line in self._export_lines():
                target.write(line)

    def _export_lines(self) -> Iterator[str]:
        with self._store.reading():
            head = {"record": "gazetteer", "schema": SCHEMA, "rules": self.rules}
            yield _json(head)
            for row in self._store.iter_entities():
                spellings = self._store.spellings_of(row.id)
                canonical = next((s.text for s in spellings if s.id == row.canonical), None)
                yield _json({"record": "entity", "id": row.id, "seq": row.seq, "name": row.name,
                             "pinned": row.pinned, "merged_into": row.merged_into,
                             "created": row.created, "canonical": canonical,
                             "spellings": [[s.text, s.shown, s.mentions] for s in spellings]})
            for decision in self._store.decisions():
                effect = decision["effect"]
                yield _json({"record": "decision", **decision,
                             "effect": json.loads(effect) if effect else None})
            for item in self._store.reviews():
                yield _json({"record": "review", **item})

    def import_(self, source: str | os.PathLike[str] | Iterable[str]) -> int:
        """Load what :meth:`export` wrote into this empty database; the number of entities.
        Ids, names, spellings, decisions and review items are kept; the index is rebuilt."""
        if not isinstance(source, str | os.PathLike):
            return self._import(source)
        try:
            with open(source, encoding="utf-8") as stream:  # read line by line, not whole
                return self._import(stream)
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{source}: cannot read: {err}") from err

    def _import(self, lines: Iterable[str]) -> int:
        with self._store.writing():
            if self._store.spelling_count() or next(self._store.iter_entities(), None):
                raise StoreError(f"{self._store.path}: import needs an empty database")
            return _Import(self).load(lines)

    def rebuild(self) -> None:
        """Recompute the blocking index and part counts with the running rules; ids,
        spellings and decisions are kept. Streams the spellings: never loads them whole."""
        with self._store.writing():
            self._rebuild_index()
        self.stale = False

    def _rebuild_index(self) -> None:
        """Recompute the index inside the caller's write transaction."""
        self._store.clear_index()
        after = 0
        while True:
            rows = self._store.iter_spellings(after, _CHUNK)
            if not rows:
                break
            _reindex(self._store, [(row.id, parse(row.text), row.mentions) for row in rows],
                     self.key_cache)
            after = rows[-1].id
        self._store.set_meta("rules", self.rules)


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def _write_atomically(path: Path, lines: Iterable[str]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            for line in lines:
                out.write(line)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _decision(row: dict[str, Any], undone: bool) -> Decision:
    return Decision(row["id"], row["kind"], row["a"] or "", row["b"] or "", row["a_name"] or "",
                    row["b_name"] or "", row["by"], row["at"], row["score"], row["note"], undone)


def _reindex(store: Store, spellings: Sequence[tuple[int, Name, int]], cache: KeyCache) -> None:
    """Index stored spellings (id, parsed, mentions) that have no index rows: one that folds
    like an earlier one of them, with the same keys, uses that one's rows."""
    first: dict[tuple[object, ...], tuple[int, set[int]]] = {}
    rows: list[_Keyed] = []
    follow = []
    for spelling, name, mentions in spellings:
        found = key_numbers(name, cache)
        lead, lead_keys = first.setdefault(linking.signature(name), (spelling, found))
        if lead != spelling and lead_keys == found:
            follow.append((spelling, lead))
        else:
            rows.append((spelling, found, len(name.parts) == 1, mentions))
    store.index_as(follow)
    _write_index(store, rows, [name for _, name, _ in spellings])


def _write_index(store: Store, spellings: Sequence[_Keyed], names: Iterable[Name]) -> None:
    """Write the index rows of spellings (id, keys, one part?, mentions) and the part
    counts of the spellings ``names``."""
    rows: list[tuple[int, int, bool]] = []
    touched: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for spelling, found, single, mentions in spellings:
        for key in found:
            rows.append((key, spelling, single))
            touched[key].append((spelling, mentions, single))
    skeletons: Counter[str] = Counter()
    for name in names:
        skeletons.update(linking.skeletons(name))
    store.index(rows, touched, skeletons, BOUND)


class _Partition:
    """Union-find over a batch's names and their stored candidates, with cannot-links and
    owners: a group holding a stored spelling belongs to its entity, and two groups of
    different entities never merge (the refusal is a bridge to review)."""

    def __init__(self, size: int, owners: dict[int, str]) -> None:
        self.parent = list(range(size))
        self.apart: dict[int, set[int]] = {}
        self.owner = dict(owners)

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def keep_apart(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.apart.setdefault(ra, set()).add(rb)
            self.apart.setdefault(rb, set()).add(ra)

    def union(self, a: int, b: int) -> str:
        """Merge the groups of a and b: ``joined``, ``apart`` (a cannot-link) or ``owned``
        (two stored entities)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return "joined"
        if any(self.find(x) == rb for x in self.apart.get(ra, ())):
            return "apart"
        owner_a, owner_b = self.owner.get(ra), self.owner.get(rb)
        if owner_a is not None and owner_b is not None and owner_a != owner_b:
            return "owned"
        keep, gone = min(ra, rb), max(ra, rb)  # the lower index stays root, as in resolve
        self.parent[gone] = keep
        moved = self.apart.pop(gone, set())
        if moved:
            self.apart.setdefault(keep, set()).update(moved)
        owner = owner_a if owner_a is not None else owner_b
        if owner is not None:
            self.owner[keep] = owner
            self.owner.pop(gone, None)
        return "joined"


class _Plan:
    """One batch linked: what :meth:`Gazetteer.add` stores and returns (or
    :meth:`Gazetteer.link` only returns). Built inside the caller's transaction."""

    def __init__(self, gazetteer: Gazetteer, rows: list[str]) -> None:
        self.gaz, self.store, self.rows = gazetteer, gazetteer._store, rows
        for number, row in enumerate(rows, 1):
            if not isinstance(row, str):
                raise InputError(f"name {number}: not a string but {type(row).__name__}")
        lines = Counter(rows)
        self.normal_of = {row: normalize(row) for row in lines}
        self.counts: Counter[str] = Counter()
        self.written: dict[str, Counter[str]] = defaultdict(Counter)
        for row, times in lines.items():
            normal = self.normal_of[row]
            if normal:
                self.counts[normal] += times
                self.written[normal][row] += times
        distinct = sorted(self.counts)
        self.known = self.store.spellings_by_text(distinct)
        self.new = [text for text in distinct if text not in self.known]
        self.parsed = [gazetteer._parse(text) for text in self.new]
        self.parsed_of = dict(zip(self.new, self.parsed, strict=True))
        self.display = {text: linking.without_titles(linking.most_written(self.written[text]), name)
                        for text, name in zip(self.new, self.parsed, strict=True)}
        self.bridges: list[tuple[str, str, str, float]] = []
        self.canonical_text: dict[str, str] = {}
        self.review_names: set[str] = set()
        self._link()

    # The stored spellings a batch meets, appended after its new names.
    def _candidates(self, heads: Sequence[int]) -> list[tuple[int, SpellingRow]]:
        probes = [(i, key, len(self.parsed[i].parts) == 1)
                  for i in heads for key in self.keys[i]]
        found = set(self.store.candidates(probes, BOUND, CLOSEST))
        aliased = self.gaz._alias_spellings(self.new)
        if aliased:
            position = {text: i for i, text in enumerate(self.new)}
            groups = self.gaz.table.name_groups()
            for text in self.new:
                for group in self.gaz.table.names.get(text, ()):
                    found.update((position[text], aliased[o].id)
                                 for o in groups[group] if o in aliased)
        rows = self.store.spellings_by_id({spelling for _, spelling in found})
        return [(i, rows[spelling]) for i, spelling in sorted(found)]

    def _link(self) -> None:
        new, parsed = self.new, self.parsed
        heads, same_as = _signature_groups(parsed)
        self.same_as = same_as
        self.keys = [self.gaz._keys(name) for name in parsed]
        met = self._candidates(heads)
        stored_rows: list[SpellingRow] = sorted({row for _, row in met}, key=lambda r: r.id)
        slot = {row.id: len(new) + k for k, row in enumerate(stored_rows)}
        self.names = [*parsed, *(self.gaz._parse(row.text) for row in stored_rows)]
        self.texts = [*new, *(row.text for row in stored_rows)]
        self.mentions = [*(self.counts[t] for t in new), *(r.mentions for r in stored_rows)]
        self.entities = self.store.entities(
            {r.entity for r in stored_rows} | {r.entity for r in self.known.values()})
        canon_ids = {e.canonical for e in self.entities.values() if e.canonical is not None}
        canon_rows = self.store.spellings_by_id(canon_ids).values()
        self.canon_rows = {row.entity: row for row in canon_rows}
        self.canon_names = {entity: self.gaz._parse(row.text)
                            for entity, row in self.canon_rows.items()}
        self.shown_of = {entity: row.name for entity, row in self.entities.items()}
        known_parsed = {text: self.gaz._parse(text) for text in self.known}
        self.weights = self.gaz._weights(
            [*self.names, *self.canon_names.values(), *known_parsed.values()], parsed)
        self.known_parsed = known_parsed
        judged = self._judge(met, slot)
        owners = {slot[row.id]: row.entity for row in stored_rows}
        self.stored_rows = stored_rows
        self.scorer = linking.Scorer(self.gaz.table, self.weights, self.gaz.threshold,
                                     self.gaz.similar)
        self.partition = _cluster(self, judged, same_as, owners)

    def _judge(self, met: Sequence[tuple[int, SpellingRow]], slot: dict[int, int]
               ) -> linking.Judged:
        """Compare the batch's candidate pairs and each new name with the stored spellings
        it met. A stored spelling indexed as another one met with it (same signature) is
        not compared again: it takes that one's verdict, as resolve compares one name of
        each signature."""
        pairs = set(linking.batch_pairs(self.parsed, [self.counts[t] for t in self.new]))
        stored = {(i, row.id) for i, row in met}
        copies: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, row in met:
            if row.keys_of is not None and (i, row.keys_of) in stored:
                copies[(i, slot[row.keys_of])].append(slot[row.id])
            else:
                pairs.add((i, slot[row.id]))
        judged = linking.judge_pairs(self.names, sorted(pairs), self.gaz.table,
                                     self.gaz.threshold, self.weights, self.gaz.similar)
        if not copies:
            return judged
        matches = list(judged.matches)
        for i, j, score, whole in judged.matches:
            matches.extend((i, other, score, whole) for other in copies.get((i, j), ()))
        conflicts = list(judged.conflicts)
        for i, j in judged.conflicts:
            conflicts.extend((i, other) for other in copies.get((i, j), ()))
        return linking.Judged(matches, conflicts)

    def _group_of_new(self) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.new)):
            groups[self.partition.find(i)].append(i)
        return groups

    def _resolved(self, read_only: bool) -> dict[str, tuple[str, str, Name | None, str]]:
        """Each new name's (entity, canonical shown, canonical parsed, status); a group of
        new names with no stored entity gets a placeholder ``+root`` until minted."""
        out: dict[str, tuple[str, str, Name | None, str]] = {}
        for root, members in self._group_of_new().items():
            owner = self.partition.owner.get(root)
            if owner is not None:
                for i in members:
                    status = "review" if self.new[i] in self.review_names else "linked"
                    out[self.new[i]] = (owner, "", None, status)
                continue
            best = min(members, key=lambda i: linking.canonical_order(
                self.parsed[i], self.counts[self.new[i]], self.display[self.new[i]]))
            self.canonical_text[f"+{root}"] = self.new[best]
            for i in members:
                out[self.new[i]] = (f"+{root}", self.display[self.new[best]],
                                    self.parsed[best], "none" if read_only else "new")
        return out

    def save(self, source: str | None) -> None:
        """Write the batch: new entities and spellings, mentions, index, reviews."""
        at = _now()
        batch = self.store.add_batch(source, at, len(self.rows))
        resolved = self._resolved(read_only=False)
        minted: dict[str, str] = {}
        for line in self.rows:  # new ids in the order the batch first mentions them
            text = self.normal_of[line]
            if text not in resolved:
                continue
            entity, shown, _, _ = resolved[text]
            if entity.startswith("+") and entity not in minted:
                minted[entity] = self.store.mint(shown, None, at)
        rows = []
        leads = self._leads()
        for k, (text, name) in enumerate(zip(self.new, self.parsed, strict=True)):
            entity = resolved[text][0]
            rows.append((text, self.display[text], minted.get(entity, entity),
                         self.counts[text], len(name.parts) == 1, leads[k]))
        ids = self.store.add_spellings(rows, batch)
        self.ids = dict(zip(self.new, ids, strict=True))
        self.store.add_mentions({row.id: self.counts[text] for text, row in self.known.items()})
        _write_index(self.store, [(ids[k], self.keys[k], len(name.parts) == 1, self.counts[text])
                                  for k, (text, name) in enumerate(zip(self.new, self.parsed,
                                                                       strict=True))
                                  if leads[k] is None], self.parsed)
        # Known spellings mentioned again may lead their keys now (the index ranks by it).
        grown = [(row.id, self.known_parsed[text], row.mentions + self.counts[text])
                 for text, row in self.known.items()
                 if len(self.known_parsed[text].parts) > 1 and row.keys_of is None]
        self.store.index([], _touched(grown, self.gaz._keys, self.store.big_keys()), {}, BOUND)
        for placeholder, entity in minted.items():
            self.store.update_entity(entity, canonical=self.ids[self.canonical_text[placeholder]])
        self._improve_canonicals(resolved)
        for a, b, bridging, score in self.bridges:
            self.store.add_review({"a": a, "b": b, "name": bridging, "score": score, "at": at,
                                   "batch": batch})
        self.minted = minted

    def _leads(self) -> list[int | None]:
        """For each new name, the spelling whose index rows it uses (see
        :meth:`Store.add_spellings`), or None for rows of its own: a name that folds like
        an earlier one of the batch, or like a stored spelling it met, with the same keys."""
        stored: dict[tuple[object, ...], int] = {}
        for slot in range(len(self.new), len(self.names)):
            stored.setdefault(linking.signature(self.names[slot]), slot)
        leads: list[int | None] = []
        for k, name in enumerate(self.parsed):
            head = self.same_as[k]
            if head != k:
                lead = leads[head] if leads[head] is not None else -(head + 1)
                leads.append(lead if self.keys[head] == self.keys[k] else None)
                continue
            slot = stored.get(linking.signature(name), -1)
            same = slot >= 0 and self.gaz._keys(self.names[slot]) == self.keys[k]
            leads.append(self.stored_rows[slot - len(self.new)].indexed_as if same else None)
        return leads

    def _improve_canonicals(self, resolved: dict[str, tuple[str, str, Name | None, str]]
                            ) -> None:
        """A stored entity takes a new spelling as canonical only if it is a full name where
        the canonical was one part, or Latin where it was Arabic script; mention counts
        alone never change it, so canonical names stay put."""
        for text, (entity, _, _, status) in resolved.items():
            row = self.entities.get(entity)
            if status not in ("linked", "review") or row is None or row.pinned:
                continue
            current = self.canon_rows.get(entity)
            name = self.parsed_of[text]
            mine = linking.canonical_order(name, self.counts[text], self.display[text])[:2]
            if current is not None:
                theirs = linking.canonical_order(self.canon_names[entity], current.mentions,
                                                 current.shown)[:2]
                if mine >= theirs:
                    continue
            self.store.update_entity(entity, canonical=self.ids[text], name=self.display[text])
            self.canon_rows[entity] = SpellingRow(self.ids[text], text, self.display[text],
                                                  entity, self.counts[text], len(name.parts) == 1)
            self.canon_names[entity] = name
            self.shown_of[entity] = self.display[text]

    def links(self, *, read_only: bool) -> list[Link]:
        """One :class:`Link` per input row, in order."""
        resolved = self._resolved(read_only)
        minted = getattr(self, "minted", {})
        scored: dict[str, tuple[str, str, float, str]] = {}
        for text, (entity, shown, canon, status) in resolved.items():
            if entity.startswith("+"):
                if read_only:
                    scored[text] = ("", "", 0.0, "none")
                    continue
                assert canon is not None
                score = self.scorer.score(self.parsed_of[text], canon)
                scored[text] = (minted[entity], shown, score, status)
            else:
                scored[text] = self._scored(self.parsed_of[text], entity, status)
        for text, stored in self.known.items():
            scored[text] = self._scored(self.known_parsed[text], stored.entity, "known")
        out = []
        for line in self.rows:
            normal = self.normal_of[line]
            if not normal:
                out.append(Link(line, "", "", 0.0, "blank"))
                continue
            entity, canonical, score, status = scored[normal]
            out.append(Link(line, entity, canonical, score, status))
        return out

    def _scored(self, name: Name, entity: str, status: str) -> tuple[str, str, float, str]:
        canon = self.canon_names.get(entity)
        score = 1.0 if canon is None else self.scorer.score(name, canon)
        return entity, self.shown_of[entity], score, status

    def bridge(self, i: int, j: int, score: float, name: int) -> None:
        """Record that new name ``name`` reached the stored entities of both i and j."""
        owners = self.partition.owner
        a, b = owners[self.partition.find(i)], owners[self.partition.find(j)]
        text = self.texts[name]
        self.bridges.append((a, b, self.display.get(text, text), round(score, 3)))
        self.review_names.add(text)


def _signature_groups(parsed: Sequence[Name]) -> tuple[list[int], list[int]]:
    """The first name of each signature, and each name's first name of its signature."""
    first: dict[tuple[object, ...], int] = {}
    same_as = [first.setdefault(linking.signature(name), i) for i, name in enumerate(parsed)]
    return sorted(set(same_as)), same_as


def _touched(spellings: Sequence[tuple[int, Name, int]], keys_of: Callable[[Name], set[int]],
             big: Set[int]) -> dict[int, list[tuple[int, int, bool]]]:
    """The spellings (id, parsed, mentions) per key, for the keys among ``big``."""
    touched: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for spelling, name, mentions in spellings:
        for key in keys_of(name) & big:
            touched[key].append((spelling, mentions, len(name.parts) == 1))
    return touched


def _cluster(plan: _Plan, judged: linking.Judged, same_as: Sequence[int],
             owners: dict[int, str]) -> _Partition:
    """Group a batch's names with the stored spellings they met, as
    :func:`namematch.resolve` clusters a list (best pair first, never across a cannot-link,
    one-part groups last), except that two stored entities never merge."""
    names, size = plan.names, len(plan.names)
    clusters, reach = _Partition(size, owners), _Partition(size, {})
    plan.partition = clusters
    for i, head in enumerate(same_as):  # spellings that fold alike are one name
        clusters.union(head, i)
        reach.union(head, i)
    first_of: dict[str, int] = {}
    for index, entity in sorted(owners.items()):  # an entity's spellings are one group
        first = first_of.setdefault(entity, index)
        clusters.union(first, index)
        reach.union(first, index)
    edges: list[tuple[float, int, int]] = []
    single_links: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, j, score, whole in judged.matches:
        reach.union(i, j)
        multi_i, multi_j = len(names[i].parts) > 1, len(names[j].parts) > 1
        if multi_i == multi_j or whole:
            edges.append((score, i, j))
        elif multi_i:
            single_links[j].append((score, i))
        else:
            single_links[i].append((score, j))
    edges.extend(_alias_edges(plan, reach))
    for i, j in judged.conflicts:
        if reach.find(i) == reach.find(j) and plan.scorer.conflict(names[i], names[j]):
            clusters.keep_apart(i, j)
    new = len(plan.new)
    for score, i, j in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        if clusters.union(i, j) == "owned":
            plan.bridge(i, j, score, i if i < new else j)
    _attach_single_mentions(plan, clusters, single_links)
    return clusters


def _alias_edges(plan: _Plan, reach: _Partition) -> list[tuple[float, int, int]]:
    """Whole-name alias groups link their names present (not two stored ones)."""
    index = {text: i for i, text in enumerate(plan.texts)}
    new, edges = len(plan.new), []
    for group in plan.gaz.table.name_groups().values():
        present = sorted(index[t] for t in group if t in index)
        for other in present[1:]:
            if present[0] < new or other < new:
                edges.append((1.0, present[0], other))
                reach.union(present[0], other)
    return edges


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


def _attach_single_mentions(plan: _Plan, clusters: _Partition,
                            single_links: dict[int, list[tuple[float, int]]]) -> None:
    """Join each group of one-part mentions to the one group it fits best, if any (as
    :func:`namematch.resolve` does)."""
    mentions: Counter[int] = Counter()
    for i, times in enumerate(plan.mentions):
        mentions[clusters.find(i)] += times
    best: dict[int, tuple[float, int, str, int, int]] = {}
    for single, links in single_links.items():
        group = clusters.find(single)
        for score, full in links:
            root = clusters.find(full)
            offer = (score, mentions[root], plan.texts[root], root,
                     single if single < len(plan.new) else full)
            if group not in best or (offer[0], offer[1], _neg(offer[2])) > (
                    best[group][0], best[group][1], _neg(best[group][2])):
                best[group] = offer
    # A stored entity with a full name anywhere (not only among the spellings this batch
    # met) is a full name's entity: it never joins another as a group of one-part mentions.
    with_full = plan.store.with_full_names(set(clusters.owner.values()))
    has_full_name = {clusters.find(i) for i, name in enumerate(plan.names)
                     if len(name.parts) > 1 or clusters.owner.get(clusters.find(i)) in with_full}
    for group, (score, _, _, root, name) in sorted(best.items()):
        if group not in has_full_name and clusters.union(group, root) == "owned":
            plan.bridge(group, root, score, name)


class _Decide:
    """Taking and undoing decisions, inside the caller's write transaction."""

    def __init__(self, gazetteer: Gazetteer, by: str | None, note: str | None) -> None:
        self.gaz, self.store, self.by, self.note = gazetteer, gazetteer._store, by, note
        self.at = _now()

    def _target(self, ref: str) -> tuple[str, SpellingRow | None]:
        """An entity id as it is now, or a name's spelling (stored first if new)."""
        if self.store.entity(ref) is not None:
            return self.gaz._current(ref), None
        text = normalize(ref)
        if not text:
            raise InputError(f"not a name or an entity id: {ref!r}")
        found = self.store.spellings_by_text([text]).get(text)
        if found is None:
            _Plan(self.gaz, [ref]).save("decision")
            found = self.store.spellings_by_text([text])[text]
        return found.entity, found

    def _score(self, a: str, b: str, sa: SpellingRow | None, sb: SpellingRow | None) -> float:
        texts = [self._text(a, sa), self._text(b, sb)]
        names = [parse(t) for t in texts]
        weights = self.gaz._weights(names, [])
        return linking.score_of(names[0], names[1], self.gaz.table, weights, self.gaz.threshold,
                                self.gaz.similar)

    def _text(self, entity: str, spelling: SpellingRow | None) -> str:
        if spelling is not None:
            return spelling.text
        row = self.store.entity(entity)
        assert row is not None
        canonical = self.store.spellings_by_id([row.canonical] if row.canonical else [])
        return next(iter(canonical.values())).text if canonical else normalize(row.name)

    def take(self, a: str, b: str, verdict: Verdict) -> Decision:
        ea, sa = self._target(a)
        eb, sb = self._target(b)
        score = self._score(ea, eb, sa, sb)
        names = (sa.shown if sa else self._name(ea), sb.shown if sb else self._name(eb))
        if verdict == "same":
            effect = self._merge(ea, eb)
        else:
            effect = self._split(ea, eb, sa, sb)
            if effect is not None:
                eb = effect["into"]
        fields = {"kind": verdict, "a": ea, "b": eb, "a_name": names[0], "b_name": names[1],
                  "by": self.by, "at": self.at, "score": score, "note": self.note,
                  "effect": json.dumps(effect) if effect else None}
        number = self.store.add_decision(fields)
        return _decision({"id": number, "undoes": None, **fields}, False)

    def _name(self, entity: str) -> str:
        row = self.store.entity(entity)
        return row.name if row is not None else entity

    def _active(self) -> list[dict[str, Any]]:
        rows = self.store.decisions()
        undone = {row["undoes"] for row in rows if row["kind"] == "undo"}
        return [row for row in rows if row["kind"] != "undo" and row["id"] not in undone]

    def _merge(self, ea: str, eb: str) -> dict[str, Any] | None:
        if ea == eb:
            return None
        for row in self._active():
            if row["kind"] == "different" and {self.gaz._current(row["a"]),
                                               self.gaz._current(row["b"])} == {ea, eb}:
                raise DecisionError(f"decision #{row['id']} says {ea} and {eb} are different; "
                                    "undo it first")
        first, second = self.store.entity(ea), self.store.entity(eb)
        assert first is not None and second is not None
        keep, gone = (first, second) if first.seq < second.seq else (second, first)
        moved = [s.text for s in self.store.spellings_of(gone.id)]
        self.store.move_spellings([s.id for s in self.store.spellings_of(gone.id)], keep.id)
        self.store.update_entity(gone.id, merged_into=keep.id)
        return {"op": "merge", "keep": keep.id, "gone": gone.id, "moved": moved}

    def _split(self, ea: str, eb: str, sa: SpellingRow | None,
               sb: SpellingRow | None) -> dict[str, Any] | None:
        if ea != eb:
            return None  # two entities: a cannot-link (add never merges entities anyway)
        if sa is None or sb is None or sa.id == sb.id:
            raise DecisionError("'different' within one entity needs two of its spellings")
        spellings = self.store.spellings_of(ea)
        names = {s.id: parse(s.text) for s in spellings}
        weights = self.gaz._weights(list(names.values()), [])
        name_a, name_b = names[sa.id], names[sb.id]

        def closer_to_b(s: SpellingRow) -> bool:
            if s.id in (sa.id, sb.id):
                return s.id == sb.id
            score = _scorer(self.gaz, weights)
            return score(names[s.id], name_b) > score(names[s.id], name_a)

        moving = [s for s in spellings if closer_to_b(s)]
        best = min(moving, key=lambda s: linking.canonical_order(names[s.id], s.mentions, s.shown))
        row = self.store.entity(ea)
        assert row is not None
        into = self.store.mint(best.shown, best.id, self.at)
        self.store.move_spellings([s.id for s in moving], into)
        effect = {"op": "split", "from": ea, "into": into, "moved": [s.text for s in moving],
                  "canonical": _text_of(spellings, row.canonical), "name": row.name}
        if row.canonical in {s.id for s in moving}:
            rest = [s for s in spellings if s not in moving]
            keep = min(rest, key=lambda s: linking.canonical_order(names[s.id], s.mentions,
                                                                    s.shown))
            update: dict[str, Any] = {"canonical": keep.id}
            if not row.pinned:
                update["name"] = keep.shown
            self.store.update_entity(ea, **update)
        return effect

    def undo(self, number: int) -> Decision:
        target = self._undoable(number)
        effect = json.loads(target["effect"]) if target["effect"] else None
        if effect is not None and effect["op"] == "merge":
            moved = self.store.spellings_by_text(effect["moved"])
            self.store.move_spellings([s.id for s in moved.values()], effect["gone"])
            self.store.update_entity(effect["gone"], merged_into=None)
        elif effect is not None:
            self._unsplit(effect)
        fields = {"kind": "undo", "undoes": number, "by": self.by, "at": self.at,
                  "a": target["a"], "b": target["b"], "a_name": target["a_name"],
                  "b_name": target["b_name"]}
        new = self.store.add_decision(fields)
        return _decision({"id": new, "score": None, "note": None, **fields}, False)

    def _undoable(self, number: int) -> dict[str, Any]:
        """Decision ``number``, if it can be undone: taken, not undone, and no later
        decision still stands on its entities."""
        rows = self.store.decisions()
        target = next((row for row in rows if row["id"] == number), None)
        if target is None or target["kind"] == "undo":
            raise DecisionError(f"no decision #{number} to undo")
        if any(row["kind"] == "undo" and row["undoes"] == number for row in rows):
            raise DecisionError(f"decision #{number} is already undone")
        involved = _involved(target, json.loads(target["effect"]) if target["effect"] else None)
        for row in self._active():
            later = json.loads(row["effect"]) if row["effect"] else None
            if row["id"] > number and involved & _involved(row, later):
                raise DecisionError(f"decision #{row['id']} came later on the same entities; "
                                    "undo it first")
        return target

    def _unsplit(self, effect: dict[str, Any]) -> None:
        """Put a split entity back together: the split-off id now resolves to it."""
        back = self.store.spellings_of(effect["into"])
        self.store.move_spellings([s.id for s in back], effect["from"])
        self.store.update_entity(effect["into"], merged_into=effect["from"])
        canonical = self.store.spellings_by_text([effect["canonical"]] if effect["canonical"]
                                                 else [])
        origin = self.store.entity(effect["from"])
        assert origin is not None
        update: dict[str, Any] = {"canonical": next(iter(canonical.values())).id
                                  if canonical else None}
        if not origin.pinned:
            update["name"] = effect["name"]
        self.store.update_entity(effect["from"], **update)


def _scorer(gaz: Gazetteer, weights: linking.Weights) -> Callable[[Name, Name], float]:
    def score(a: Name, b: Name) -> float:
        return linking.score_of(a, b, gaz.table, weights, gaz.threshold, gaz.similar)
    return score


def _text_of(spellings: Sequence[SpellingRow], spelling: int | None) -> str | None:
    return next((s.text for s in spellings if s.id == spelling), None)


def _involved(row: dict[str, Any], effect: dict[str, Any] | None) -> set[str]:
    out = {row["a"], row["b"]}
    if effect is not None:
        out |= {effect.get(k) for k in ("keep", "gone", "from", "into")}
    out.discard(None)
    return out


class _Import:
    """Loading an export into an empty database, inside the caller's transaction."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz, self.store = gazetteer, gazetteer._store
        self.pending: list[tuple[int, Name, int]] = []

    def load(self, lines: Iterable[str]) -> int:
        entities = 0
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                kind = record.pop("record")
                if kind == "gazetteer" and int(record["schema"]) > SCHEMA:
                    raise StoreError(f"line {number}: exported by a newer namematch "
                                     f"(schema {record['schema']})")
                if kind == "entity":
                    self._entity(record)
                    entities += 1
                elif kind == "decision":
                    effect = record.get("effect")
                    self.store.add_decision({**{k: v for k, v in record.items()
                                                if k != "effect"},
                                             "effect": json.dumps(effect) if effect else None})
                elif kind == "review":
                    self.store.add_review(record)
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                raise InputError(f"line {number}: not a gazetteer export record ({err})") from err
        self._flush()
        self.store.set_meta("rules", self.gaz.rules)
        return entities

    def _entity(self, record: dict[str, Any]) -> None:
        row = EntityRow(str(record["id"]), int(record["seq"]), str(record["name"]),
                        bool(record["pinned"]), None, record.get("merged_into"),
                        str(record["created"]))
        self.store.add_entity(row)
        spellings = [(str(text), str(shown), int(mentions)) for text, shown, mentions
                     in record["spellings"]]
        parsed = [parse(text) for text, _, _ in spellings]
        ids = self.store.add_spellings(
            [(text, shown, row.id, mentions, len(name.parts) == 1, None)
             for (text, shown, mentions), name in zip(spellings, parsed, strict=True)], None)
        canonical = record.get("canonical")
        for (text, _, mentions), name, spelling in zip(spellings, parsed, ids, strict=True):
            if text == canonical:
                self.store.update_entity(row.id, canonical=spelling)
            self.pending.append((spelling, name, mentions))
        if len(self.pending) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        _reindex(self.store, self.pending, self.gaz.key_cache)
        self.pending = []
