"""A gazetteer's batch linked: what :meth:`namematch.Gazetteer.add` stores and returns.

The per-name work of a batch (the stored spellings it meets read, parsed and weighed, the
pairs judged, the groups clustered, the index rows written) lives here, apart from the
public :mod:`namematch.gazetteer`, so that the wheel compiles it with mypyc as it compiles
the pipeline. A :class:`Memo`, owned by one gazetteer, keeps what outlives a batch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence, Set
from datetime import UTC, datetime
from typing import Final

from . import _linking as linking
from .aliases import AliasTable
from .keys import KeyCache, key_numbers
from .normalize import normalize
from .parse import Name, parse
from .rules import NameFacts
from .store import SpellingRow, Store

__all__ = ["BOUND", "CLOSEST", "LinkRow", "Memo", "Plan", "reindex", "write_index"]

BOUND: Final = 20
"""A stored key shared by more spellings than this gives a new name only its most-mentioned
longer spellings (the store keeps them per key). Lower than resolve's bucket bound
(``resolve.MAX_BUCKET``): a new name meets the stored spellings of each of its keys, where
resolve pairs a name of a big bucket with its neighbours in name order only."""
CLOSEST: Final = 15
"""A new name meets at most this many stored spellings (and those indexed as them): the
ones that share the most blocking keys with it."""
_Keyed = tuple[int, set[int], bool, int]  # a spelling to index: id, keys, one part?, mentions
_PARSED: Final = 1 << 17  # parsed spellings kept from one batch to the next, at most
LinkRow = tuple[str, str, str, float, str]  # name, entity, canonical, score, status


def now() -> str:
    """The time of a batch or a decision, as stored."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Memo:
    """What a gazetteer keeps from batch to batch: its alias table and threshold, the keys
    of the parts it has seen and the similarities of the part forms it has compared (both
    bounded; neither depends on a batch's part weights), and the spellings parsed, with
    their keys, part skeletons and the facts the comparison reads off them
    (:class:`~namematch.rules.NameFacts`), by normalized text: a stored spelling is met and
    mentioned again by many batches."""

    def __init__(self, table: AliasTable, threshold: float) -> None:
        self.table = table
        self.threshold = threshold
        self.key_cache = KeyCache(texts=False)
        self.similar = linking.PartSimilarity(table)
        self.parsed: dict[str, Name] = {}
        self.key_sets: dict[str, set[int]] = {}
        self.skeleton_sets: dict[str, set[str]] = {}
        self.facts: dict[str, NameFacts] = {}

    def parse(self, text: str) -> Name:
        """A normalized spelling parsed, once while it stays in :attr:`parsed`."""
        found = self.parsed.get(text)
        if found is None:
            found = self.parsed[text] = parse(text)
        return found

    def trim(self) -> None:
        """Before a batch: drop the parsed spellings if more than ``_PARSED`` are kept (a
        batch's own stay until the next one, held by the batch anyway)."""
        if len(self.parsed) > _PARSED:
            self.parsed.clear()
        if len(self.key_sets) > _PARSED:
            self.key_sets.clear()
        if len(self.skeleton_sets) > _PARSED:
            self.skeleton_sets.clear()
        if len(self.facts) > _PARSED:
            self.facts.clear()

    def skeletons(self, name: Name) -> set[str]:
        """The part skeletons of a parsed spelling (what part weights count), kept."""
        found = self.skeleton_sets.get(name.text)
        if found is None:
            found = self.skeleton_sets[name.text] = linking.skeletons(name)
        return found

    def keys(self, name: Name) -> set[int]:
        """The blocking keys of a parsed spelling, once while it stays in :attr:`key_sets`."""
        found = self.key_sets.get(name.text)
        if found is None:
            found = self.key_sets[name.text] = key_numbers(name, self.key_cache)
        return found

    def weights(self, store: Store, parsed: Sequence[Name], new: Sequence[Name]) -> linking.Weights:
        """Part weights over the stored spellings and the ``new`` names of a batch."""
        wanted: set[str] = set()
        for name in parsed:
            wanted |= self.skeletons(name)
        frequency = store.part_frequency(wanted)
        for name in new:
            for skeleton in self.skeletons(name):
                frequency[skeleton] = frequency.get(skeleton, 0) + 1
        return linking.weights_from(frequency, store.spelling_count() + len(new))

    def alias_spellings(self, store: Store, texts: Iterable[str]) -> dict[str, SpellingRow]:
        """Stored spellings in a whole-name alias group with one of ``texts``."""
        if not self.table.names:
            return {}
        groups = self.table.name_groups()
        wanted = {other for text in texts for group in self.table.names.get(text, ())
                  for other in groups[group]}
        return store.spellings_by_text(wanted) if wanted else {}


def reindex(store: Store, spellings: Sequence[tuple[int, Name, int]], cache: KeyCache) -> None:
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
    write_index(store, rows, [name for _, name, _ in spellings])


def write_index(store: Store, spellings: Sequence[_Keyed], names: Iterable[Name],
                touched: dict[int, list[tuple[int, int, bool]]] | None = None) -> None:
    """Write the index rows of spellings (id, keys, one part?, mentions) and the part
    counts of the spellings ``names``; ``touched`` adds stored spellings mentioned again,
    per big key (see :func:`_touched`)."""
    rows: list[tuple[int, int, bool]] = []
    big = store.big_keys()
    touched = defaultdict(list, touched or {})
    for spelling, found, single, mentions in spellings:
        for key in found:
            rows.append((key, spelling, single))
            if key in big:  # only a big bucket's leaders are kept up to date from these
                touched[key].append((spelling, mentions, single))
    skeletons: Counter[str] = Counter()
    for name in names:
        skeletons.update(linking.skeletons(name))
    store.index(rows, touched, skeletons, BOUND)


class Partition:
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


class Plan:
    """One batch linked: what :meth:`Gazetteer.add` stores and returns (or
    :meth:`Gazetteer.link` only returns). Built inside the caller's transaction."""

    def __init__(self, memo: Memo, store: Store, rows: list[str]) -> None:
        self.memo, self.store, self.rows = memo, store, rows  # strings (checked_names)
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
        self.parsed = [memo.parse(text) for text in self.new]
        self.parsed_of = dict(zip(self.new, self.parsed, strict=True))
        self.display = {text: linking.without_titles(linking.most_written(self.written[text]), name)
                        for text, name in zip(self.new, self.parsed, strict=True)}
        self.bridges: list[tuple[str, str, str, float]] = []
        self.canonical_text: dict[str, str] = {}
        self.review_names: set[str] = set()
        self.minted: dict[str, str] = {}  # placeholder to entity id, once saved
        self.ids: dict[str, int] = {}  # new spelling to its id, once saved
        self._link()

    # The stored spellings a batch meets, appended after its new names.
    def _candidates(self, heads: Sequence[int]) -> list[tuple[int, SpellingRow]]:
        probes = [(i, key, len(self.parsed[i].parts) == 1)
                  for i in heads for key in self.keys[i]]
        found = set(self.store.candidates(probes, BOUND, CLOSEST))
        aliased = self.memo.alias_spellings(self.store, self.new)
        if aliased:
            position = {text: i for i, text in enumerate(self.new)}
            groups = self.memo.table.name_groups()
            for text in self.new:
                for group in self.memo.table.names.get(text, ()):
                    found.update((position[text], aliased[o].id)
                                 for o in groups[group] if o in aliased)
        rows = self.store.spellings_by_id({spelling for _, spelling in found})
        return [(i, rows[spelling]) for i, spelling in sorted(found)]

    def _link(self) -> None:
        new, parsed = self.new, self.parsed
        heads, same_as = _signature_groups(parsed)
        self.same_as = same_as
        self.keys = [self.memo.keys(name) for name in parsed]
        met = self._candidates(heads)
        stored_rows: list[SpellingRow] = sorted({row for _, row in met}, key=lambda r: r.id)
        slot = {row.id: len(new) + k for k, row in enumerate(stored_rows)}
        self.names = [*parsed, *(self.memo.parse(row.text) for row in stored_rows)]
        self.texts = [*new, *(row.text for row in stored_rows)]
        self.mentions = [*(self.counts[t] for t in new), *(r.mentions for r in stored_rows)]
        self.entities = self.store.entities(
            {r.entity for r in stored_rows} | {r.entity for r in self.known.values()})
        canon_ids = {e.canonical for e in self.entities.values() if e.canonical is not None}
        canon_rows = self.store.spellings_by_id(canon_ids).values()
        self.canon_rows = {row.entity: row for row in canon_rows}
        self.canon_names = {entity: self.memo.parse(row.text)
                            for entity, row in self.canon_rows.items()}
        self.shown_of = {entity: row.name for entity, row in self.entities.items()}
        known_parsed = {text: self.memo.parse(text) for text in self.known}
        self.weights = self.memo.weights(self.store,
            [*self.names, *self.canon_names.values(), *known_parsed.values()], parsed)
        self.known_parsed = known_parsed
        judged = self._judge(met, slot)
        owners = {slot[row.id]: row.entity for row in stored_rows}
        self.stored_rows = stored_rows
        self.scorer = linking.Scorer(self.memo.table, self.weights, self.memo.threshold,
                                     self.memo.similar, self.memo.facts)
        self.partition = _cluster(self, judged, same_as, owners)

    def _judge(self, met: Sequence[tuple[int, SpellingRow]], slot: dict[int, int]
               ) -> linking.Judged:
        """Compare the batch's candidate pairs and each new name with the stored spellings
        it met. A stored spelling indexed as another one met with it (same signature) is
        not compared again: it takes that one's verdict, as resolve compares one name of
        each signature."""
        pairs = set(linking.batch_pairs(self.parsed, [self.counts[t] for t in self.new],
                                        self.memo.keys))
        stored = {(i, row.id) for i, row in met}
        copies: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, row in met:
            if row.keys_of is not None and (i, row.keys_of) in stored:
                copies[(i, slot[row.keys_of])].append(slot[row.id])
            else:
                pairs.add((i, slot[row.id]))
        judged = linking.judge_pairs(self.names, sorted(pairs), self.memo.table,
                                     self.memo.threshold, self.weights, self.memo.similar,
                                     self.memo.facts)
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
        at = now()
        batch = self.store.add_batch(source, at, len(self.rows))
        resolved = self._resolved(read_only=False)
        placeholders: dict[str, str] = {}  # to their shown names
        for line in self.rows:  # new ids in the order the batch first mentions them
            text = self.normal_of[line]
            if text not in resolved:
                continue
            entity, shown, _, _ = resolved[text]
            if entity.startswith("+"):
                placeholders.setdefault(entity, shown)
        minted = dict(zip(placeholders, self.store.mint_all(
            [(shown, None) for shown in placeholders.values()], at), strict=True))
        rows = []
        leads = self._leads()
        for k, (text, name) in enumerate(zip(self.new, self.parsed, strict=True)):
            entity = resolved[text][0]
            rows.append((text, self.display[text], minted.get(entity, entity),
                         self.counts[text], len(name.parts) == 1, leads[k]))
        ids = self.store.add_spellings(rows, batch)
        self.ids = dict(zip(self.new, ids, strict=True))
        self.store.add_mentions({row.id: self.counts[text] for text, row in self.known.items()})
        # Known spellings mentioned again may lead their keys now (the index ranks by it).
        grown = [(row.id, self.known_parsed[text], row.mentions + self.counts[text])
                 for text, row in self.known.items()
                 if len(self.known_parsed[text].parts) > 1 and row.keys_of is None]
        write_index(self.store, [(ids[k], self.keys[k], len(name.parts) == 1, self.counts[text])
                                  for k, (text, name) in enumerate(zip(self.new, self.parsed,
                                                                       strict=True))
                                  if leads[k] is None], self.parsed,
                    _touched(grown, self.memo.keys, self.store.big_keys()))
        self.store.set_canonicals((entity, self.ids[self.canonical_text[placeholder]])
                                  for placeholder, entity in minted.items())
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
            same = slot >= 0 and self.memo.keys(self.names[slot]) == self.keys[k]
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

    def links(self, *, read_only: bool) -> list[LinkRow]:
        """One link per input row, in order: the fields of a :class:`namematch.Link`."""
        resolved = self._resolved(read_only)
        minted = self.minted
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
        out: list[LinkRow] = []
        for line in self.rows:
            normal = self.normal_of[line]
            if not normal:
                out.append((line, "", "", 0.0, "blank"))
                continue
            entity, canonical, score, status = scored[normal]
            out.append((line, entity, canonical, score, status))
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


def _cluster(plan: Plan, judged: linking.Judged, same_as: Sequence[int],
             owners: dict[int, str]) -> Partition:
    """Group a batch's names with the stored spellings they met, as
    :func:`namematch.resolve` clusters a list (best pair first, never across a cannot-link,
    one-part groups last), except that two stored entities never merge."""
    names, size = plan.names, len(plan.names)
    clusters, reach = Partition(size, owners), Partition(size, {})
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


def _alias_edges(plan: Plan, reach: Partition) -> list[tuple[float, int, int]]:
    """Whole-name alias groups link their names present (not two stored ones)."""
    index = {text: i for i, text in enumerate(plan.texts)}
    new, edges = len(plan.new), []
    for group in plan.memo.table.name_groups().values():
        present = sorted(index[t] for t in group if t in index)
        for other in present[1:]:
            if present[0] < new or other < new:
                edges.append((1.0, present[0], other))
                reach.union(present[0], other)
    return edges


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


def _attach_single_mentions(plan: Plan, clusters: Partition,
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
