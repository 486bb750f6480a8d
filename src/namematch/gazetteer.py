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

import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final, Literal

from . import _batch as batching
from . import _linking as linking
from ._tables import atomic_output
from .aliases import AliasTable, load_aliases
from .api import checked_names
from .compare import DEFAULT_THRESHOLD, Match, compare
from .errors import InputError, NamematchError
from .keys import key_numbers
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

_CHUNK: Final = 5000  # spellings per step when the whole index is rebuilt

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
        self.memo = batching.Memo(self.table, threshold)  # what outlives a batch
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
        Names are taken as :func:`namematch.resolve` takes them: a missing value is a
        blank name, anything else not a string an :class:`InputError`.
        """
        rows = checked_names(names)
        self.memo.trim()
        with linking.collector_paused(), self._store.writing():
            self._fresh()
            plan = batching.Plan(self.memo, self._store, rows)
            plan.save(source)
            links = [Link(*row) for row in plan.links(read_only=False)]
            del plan  # freed while the collector sleeps, which would scan it all once more
        return links

    def link(self, names: Iterable[str]) -> list[Link]:
        """Screen names against the stored entities without storing anything: each name's
        entity as :meth:`add` would link it, or ``none`` (entity ``""``)."""
        rows = checked_names(names)
        self.memo.trim()
        with linking.collector_paused(), self._store.reading():
            plan = batching.Plan(self.memo, self._store, rows)
            links = [Link(*row) for row in plan.links(read_only=True)]
            del plan  # as in add
        return links

    def match(self, name: str, *, limit: int = 5) -> list[Candidate]:
        """The ``limit`` best stored entities for one name, best first, read-only."""
        if not isinstance(name, str):
            raise InputError(f"name must be a str; got {type(name).__name__}")
        text = normalize(name)
        if not text or limit <= 0:
            return []
        parsed = parse(text)
        with self._store.reading():
            exact = self._store.spellings_by_text([text])
            probes = [(0, key, len(parsed.parts) == 1)
                      for key in key_numbers(parsed, self.memo.key_cache)]
            found = {spelling for _, spelling in self._store.candidates(
                probes, batching.BOUND, batching.CLOSEST)}
            found.update(row.id for row in exact.values())
            aliased = self.memo.alias_spellings(self._store, [text])
            found.update(row.id for row in aliased.values())
            rows = self._store.spellings_by_id(found)
            weights = self.memo.weights(
                self._store, [parsed, *(parse(r.text) for r in rows.values())], [parsed])
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

    def _fresh(self) -> None:
        if self.stale:
            raise StaleIndexError(f"{self._store.path}: the index was built with other rules; "
                                  "run rebuild() (namematch rebuild --db ...) first")

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
        if not isinstance(name, str):
            raise InputError(f"an entity's name must be a str; got {type(name).__name__}")
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
        for ref in (a, b):
            if not isinstance(ref, str):
                raise InputError(f"a decision's name or entity id must be a str; got "
                                 f"{type(ref).__name__}")
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
            with atomic_output(os.fspath(target)) as out:  # a clear error, no partial file
                out.writelines(self._export_lines())
        elif not callable(getattr(target, "write", None)):
            raise InputError(f"export writes to a path or a text stream; got "
                             f"{type(target).__name__}")
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
            if not isinstance(source, Iterable):
                raise InputError(f"import_ reads a path or lines of text; got "
                                 f"{type(source).__name__}")
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
            batching.reindex(self._store, [(row.id, parse(row.text), row.mentions)
                                           for row in rows], self.memo.key_cache)
            after = rows[-1].id
        self._store.set_meta("rules", self.rules)


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def _decision(row: dict[str, Any], undone: bool) -> Decision:
    return Decision(row["id"], row["kind"], row["a"] or "", row["b"] or "", row["a_name"] or "",
                    row["b_name"] or "", row["by"], row["at"], row["score"], row["note"], undone)


class _Decide:
    """Taking and undoing decisions, inside the caller's write transaction."""

    def __init__(self, gazetteer: Gazetteer, by: str | None, note: str | None) -> None:
        self.gaz, self.store, self.by, self.note = gazetteer, gazetteer._store, by, note
        self.at = batching.now()

    def _target(self, ref: str) -> tuple[str, SpellingRow | None]:
        """An entity id as it is now, or a name's spelling (stored first if new)."""
        if self.store.entity(ref) is not None:
            return self.gaz._current(ref), None
        text = normalize(ref)
        if not text:
            raise InputError(f"not a name or an entity id: {ref!r}")
        found = self.store.spellings_by_text([text]).get(text)
        if found is None:
            batching.Plan(self.gaz.memo, self.store, [ref]).save("decision")
            found = self.store.spellings_by_text([text])[text]
        return found.entity, found

    def _score(self, a: str, b: str, sa: SpellingRow | None, sb: SpellingRow | None) -> float:
        texts = [self._text(a, sa), self._text(b, sb)]
        names = [parse(t) for t in texts]
        memo = self.gaz.memo
        weights = memo.weights(self.store, names, [])
        return linking.score_of(names[0], names[1], memo.table, weights, memo.threshold,
                                memo.similar)

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
        weights = self.gaz.memo.weights(self.store, list(names.values()), [])
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
        memo = gaz.memo
        return linking.score_of(a, b, memo.table, weights, memo.threshold, memo.similar)
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
            if not isinstance(line, str):
                raise InputError(f"line {number}: not text but {type(line).__name__}")
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
        batching.reindex(self.store, self.pending, self.gaz.memo.key_cache)
        self.pending = []
