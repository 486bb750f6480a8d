"""Cluster the distinct names of a list from the verdicts on their candidate pairs.

Names of two or more parts are merged best pair first, never across a cannot-link (two
names that conflict), so a chain of partial matches cannot glue two different people
together. One-part mentions ("Ghosri said") are grouped among themselves, then each group
joins the single entity it fits best, or stays alone. Each entity gets a canonical name
and an id; each name its score against the canonical name.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from ._pickling import by_fields
from .aliases import AliasTable
from .compare import MAX_PARTS
from .distinct import NameList
from .normalize import normalize
from .parse import Name, part_counts, titles_of
from .script import is_arabic
from .session import Session

__all__ = ["Clusters", "Link", "Verdicts", "components", "entities", "entities_of_part",
           "share_out", "without_titles"]

Resolved = dict[str, tuple[str, str, float]]
"""Each normalized name's entity id, the entity's canonical name and the name's score."""

def _conflicts_within(codes: array[int], roots: array[int]) -> list[tuple[int, int]]:
    """The pairs among ``codes`` (``i * len(roots) + j``) of names in one component
    (``roots``), in order."""
    size = len(roots)
    found = []
    for code in codes:
        i, j = divmod(code, size)
        if roots[i] == roots[j]:
            found.append((i, j))
    return found


class _Settle:
    """Whether a possible conflict between two names holds, settled in a session."""

    def __init__(self, session: Session) -> None:
        self.session: Final = session

    def __call__(self, i: int, j: int) -> bool:
        return self.session.outcome(i, j).conflict


class Link(NamedTuple):
    """A match between names ``i`` and ``j`` of a list; ``whole`` when every part of both
    took part (Hezbollah = Hizb Allah), so even a one-part name is a full match there."""

    i: int
    j: int
    score: float
    whole: bool


@dataclass(frozen=True)
class Verdicts:
    """What comparing candidate pairs found that can change the clustering: the matches,
    and the pairs that possibly conflict. The other pairs are left out.

    A pair is packed as a code ``i * len(parsed) + j``; a match also has its score and
    whether it is whole (see :class:`Link`), in arrays beside its code. Packed, a million
    verdicts travel between processes as bytes rather than a million tuples, and weigh 17
    bytes a match rather than about 170.
    """

    match_codes: array[int]
    scores: array[float]
    whole: bytearray
    conflicts: array[int]

    @classmethod
    def empty(cls) -> Verdicts:
        return cls(array("q"), array("d"), bytearray(), array("q"))

    def add(self, other: Verdicts) -> None:
        """Append ``other``'s verdicts to these."""
        self.match_codes.extend(other.match_codes)
        self.scores.extend(other.scores)
        self.whole.extend(other.whole)
        self.conflicts.extend(other.conflicts)

    def add_match(self, code: int, score: float, whole: bool) -> None:
        """Append the match of the pair ``code`` (``i * len(parsed) + j``)."""
        self.match_codes.append(code)
        self.scores.append(score)
        self.whole.append(whole)

    def keep_within(self, roots: array[int]) -> None:
        """Forget the possible conflicts between names of two components (``roots``, see
        :func:`components`): no merge can cross them, and they are most of a long list's."""
        size = len(roots)
        kept = _within(self.conflicts, roots, array("q", range(size)), size)
        del self.conflicts[:]  # frees the array's memory before it takes the few kept
        self.conflicts.extend(kept)

    def links(self, size: int) -> Iterator[Link]:
        """The matches, in order, of names of a list of ``size``."""
        for code, score, whole in zip(self.match_codes, self.scores, self.whole, strict=True):
            yield Link(code // size, code % size, score, whole == 1)

    def __reduce__(self) -> tuple[type[Verdicts], tuple[object, ...]]:
        return by_fields(self)


class Clusters:
    """Union-find with cannot-links: two sets that must stay apart never merge.

    Each root keeps the names its set must stay apart from (any member of the other set,
    resolved with :meth:`find` when asked). Merging keeps the bigger of the two collections
    and adds the smaller to it, so a famous name's thousands of cannot-links are not copied
    again at each merge.

    A cannot-link may also be possible only (:meth:`may_keep_apart`): ``settle`` says
    whether it holds, asked only when a union would join its two names. Most possible
    conflicts of a list are between names that never come to the point of joining, and
    settling one means comparing the two names in full.

    >>> clusters = Clusters(4, settle=lambda i, j: j == 3)
    >>> clusters.may_keep_apart(0, 2); clusters.may_keep_apart(0, 3)
    >>> clusters.union(0, 1), clusters.union(1, 2), clusters.union(2, 3)
    (True, True, False)
    """

    def __init__(self, size: int, settle: Callable[[int, int], bool] | None = None) -> None:
        self.parent = list(range(size))
        self.apart: dict[int, set[int]] = {}
        # Possible cannot-links, by root: 2 * (name * size + other) + 1 if the name came
        # first in may_keep_apart, so that settle hears the pair as it was given.
        self.maybe: dict[int, set[int]] = {}
        self.settle: Final = settle

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
            _member(self.apart, ra).add(rb)
            _member(self.apart, rb).add(ra)

    def may_keep_apart(self, a: int, b: int) -> None:
        """Keep the sets of ``a`` and ``b`` apart if ``settle(a, b)`` says so, asked when
        a union would first join them."""
        size = len(self.parent)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            _member(self.maybe, ra).add(2 * (a * size + b) + 1)
            _member(self.maybe, rb).add(2 * (b * size + a))

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self._kept_apart(ra, rb) or self._settled_apart(ra, rb):
            return False
        # The lower index stays root, so the result does not depend on merge order.
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        _merge(self.apart, keep, gone)
        _merge(self.maybe, keep, gone)
        return True

    def _kept_apart(self, ra: int, rb: int) -> bool:
        """Whether a cannot-link holds between the sets of roots ``ra`` and ``rb``."""
        apart_a, apart_b = self.apart.get(ra), self.apart.get(rb)
        if apart_a is not None and apart_b is not None:
            if len(apart_b) < len(apart_a):
                ra, rb, apart_a, apart_b = rb, ra, apart_b, apart_a
            return any(self.find(other) == rb for other in apart_a)
        if apart_a is not None:
            return any(self.find(other) == rb for other in apart_a)
        return apart_b is not None and any(self.find(other) == ra for other in apart_b)

    def _settled_apart(self, ra: int, rb: int) -> bool:
        """Whether a possible cannot-link between the sets of roots ``ra`` and ``rb``
        holds, settling those between them until one does; each pair is settled once."""
        maybe_a, maybe_b = self.maybe.get(ra), self.maybe.get(rb)
        if maybe_a is None or maybe_b is None:  # each pair is kept by both its roots
            return False
        if len(maybe_b) < len(maybe_a):
            ra, rb, maybe_a, maybe_b = rb, ra, maybe_b, maybe_a
        size = len(self.parent)
        between = [entry for entry in maybe_a if self.find(entry // 2 % size) == rb]
        for entry in between:
            mine, other = divmod(entry // 2, size)
            maybe_a.discard(entry)
            maybe_b.discard(2 * (other * size + mine) + 1 - entry % 2)
            first, second = (mine, other) if entry % 2 else (other, mine)
            assert self.settle is not None  # set whenever a possible cannot-link is
            if self.settle(first, second):
                self.keep_apart(ra, rb)
                return True
        return False


def _member(by_root: dict[int, set[int]], root: int) -> set[int]:
    found = by_root.get(root)
    if found is None:
        found = by_root[root] = set()
    return found


def _merge(by_root: dict[int, set[int]], keep: int, gone: int) -> None:
    """Give root ``keep`` the entries of root ``gone`` too (the bigger set is kept)."""
    merged = by_root.pop(gone, None)
    if merged is not None:
        kept = by_root.pop(keep, None)
        if kept is not None:
            if len(kept) > len(merged):
                kept, merged = merged, kept
            merged |= kept
        by_root[keep] = merged


class _Links:
    """The links clustering follows, in arrays rather than a tuple each (a clustering
    worker holds hundreds of thousands): match edges between names of the same kind (or
    whole matches) as codes ``i * size + j`` with their scores, one-part mentions' links to
    longer names, and each match's score by its pair of names."""

    def __init__(self, size: int) -> None:
        self.size: Final = size
        self.edge_codes: Final = array("q")
        self.edge_scores: Final = array("d")
        self.single: Final[dict[int, list[tuple[float, int]]]] = defaultdict(list)
        self.match_codes: Final = array("q")  # smaller name * size + larger name
        self.match_scores: Final = array("d")

    def add(self, link: Link, part_counts: Sequence[int]) -> None:
        i, j, score = link.i, link.j, link.score
        self.match_codes.append(min(i, j) * self.size + max(i, j))
        self.match_scores.append(score)
        multi_i, multi_j = part_counts[i] > 1, part_counts[j] > 1
        if multi_i == multi_j or link.whole:
            self.add_edge(score, i, j)
        elif multi_i:
            self.single[j].append((score, i))
        else:
            self.single[i].append((score, j))

    def add_edge(self, score: float, i: int, j: int) -> None:
        self.edge_codes.append(i * self.size + j)
        self.edge_scores.append(score)

    def edges_in_order(self) -> Iterator[tuple[int, int]]:
        """Each edge's names (i, j), the highest score first, then by i, then by j."""
        codes = self.edge_codes
        order = sorted(range(len(codes)), key=codes.__getitem__)  # by (i, j)
        order.sort(key=self.edge_scores.__getitem__, reverse=True)  # stable, so by (i, j)
        size = self.size
        for k in order:
            yield divmod(codes[k], size)

    def known(self, heads: Sequence[int], part_counts: Sequence[int]) -> _Known:
        """The scores known without comparing again (see :class:`_Known`)."""
        codes, scores = self.match_codes, self.match_scores
        order = sorted(range(len(codes)), key=codes.__getitem__)
        return _Known(heads, array("q", [codes[k] for k in order]),
                      array("d", [scores[k] for k in order]), part_counts)


def entities(names: NameList, verdicts: Verdicts, session: Session) -> Resolved:
    """Cluster ``names`` from the verdicts on their candidate pairs (compared in
    ``session``, or in copies of it elsewhere). Returns, for each normalized name, its entity
    id, the entity's canonical name and the name's score against it. The single-machine
    path and a distributed one give the same verdicts to this one function. Its conflicts
    are possible ones (see :func:`namematch.resolve.judge`); those that could stop a merge
    are settled here.
    """
    size = len(names.texts)
    clusters = Clusters(size, _Settle(session))
    # Every merge below follows a link of ``reach``: a cannot-link between two names it
    # does not connect can never stop one, so only the others are kept (a few in a thousand
    # on synthetic lists, where most candidate pairs are conflicts).
    reach = Clusters(size)
    heads = names.head_of
    _merge_signatures(heads, reach, clusters)
    counts = part_counts(names.parsed)  # read often: packed names are not unpacked for it
    links = _Links(size)
    for link in verdicts.links(size):
        reach.union(link.i, link.j)
        links.add(link, counts)
    if session.table is not None:
        _alias_edges(names.texts, reach, session.table, links)
    # A verdict's conflict may be unsettled: it is settled when a merge would cross it.
    roots = array("q", [reach.find(i) for i in range(size)])
    for i, j in _conflicts_within(verdicts.conflicts, roots):
        clusters.may_keep_apart(i, j)
    for i, j in links.edges_in_order():
        clusters.union(i, j)
    _attach_single_mentions(clusters, links.single, names, counts)
    return _canonical(names, clusters, session, links.known(heads, counts))


def _merge_signatures(head_of: Sequence[int], reach: Clusters,
                      clusters: Clusters | None = None) -> None:
    """Merge the names of each signature (spellings that fold alike are one name; ``head_of``
    gives each name's head) in ``reach`` and ``clusters``."""
    for i, head in enumerate(head_of):
        if head != i:
            if clusters is not None:
                clusters.union(head, i)
            reach.union(head, i)


def _alias_edges(texts: Sequence[str], reach: Clusters, table: AliasTable,
                 links: _Links | None = None) -> None:
    """An edge of score 1 between the names (``texts``, sorted) of each whole-name alias
    group present, in ``reach`` and ``links``."""
    for group in table.name_groups().values():
        present = sorted(found for found in (_position(texts, text) for text in group)
                         if found >= 0)
        for other in present[1:]:
            if links is not None:
                links.add_edge(1.0, present[0], other)
            reach.union(present[0], other)


def _position(texts: Sequence[str], text: str) -> int:
    """Where ``text`` is among ``texts`` (sorted), or -1."""
    at = bisect_left(texts, text)
    return at if at < len(texts) and texts[at] == text else -1


def components(names: NameList, verdicts: Verdicts, table: AliasTable | None) -> array[int]:
    """Each name's component: the least index among the names that one signature, the
    matches or a whole-name alias group connect to it.

    :func:`entities` never merges names of two components, nor lets one component's names
    change another's entity, canonical name or scores: whole components can be clustered
    apart (see :func:`entities_of_part`) with the same result.
    """
    size = len(names.texts)
    reach = Clusters(size)
    _merge_signatures(names.head_of, reach)
    for code in verdicts.match_codes:  # the codes, not links: the scores are not needed
        reach.union(code // size, code % size)
    if table is not None:
        _alias_edges(names.texts, reach, table)
    return array("q", [reach.find(i) for i in range(size)])


def share_out(roots: array[int], parts: int) -> array[int]:
    """Each name's part of ``parts``, whole components (``roots``, see :func:`components`)
    to a part: the biggest component first, each to the part with the fewest names so far
    (the lowest part among equals), so that the parts take about as long to cluster.

    >>> list(share_out(array("q", [0, 0, 0, 3, 4, 3]), 2))
    [0, 0, 0, 1, 1, 1]
    """
    sizes = Counter(roots)
    span = max(roots, default=-1) + 1  # above every root
    load = [0] * parts
    part_of: dict[int, int] = {}
    # One int per component orders them as (-size, root) would, without a key function.
    for order in sorted([root - size * span for root, size in sizes.items()]):
        root = order % span
        part = 0
        for other in range(1, parts):
            if load[other] < load[part]:
                part = other
        part_of[root] = part
        load[part] += (root - order) // span
    return array("q", [part_of[root] for root in roots])


def entities_of_part(names: NameList, verdicts: Verdicts, session: Session, roots: array[int],
                     shares: array[int], part: int) -> Resolved:
    """:func:`entities` of the names whose share (``shares``, see :func:`share_out`) is
    ``part``: whole components (``roots``), the names of the other parts left out."""
    size = len(roots)
    members = array("q", [i for i in range(size) if shares[i] == part])
    local = array("q", [-1]) * size
    for position, i in enumerate(members):
        local[i] = position
    count = len(members)
    kept = Verdicts(array("q"), array("d"), bytearray(),
                    _within(verdicts.conflicts, roots, local, count))
    for code, score, whole in zip(verdicts.match_codes, verdicts.scores, verdicts.whole,
                                  strict=True):
        i = local[code // size]
        if i >= 0:  # a match never leaves its component, hence its part
            kept.add_match(i * count + local[code % size], score, whole == 1)
    return entities(names.part(members), kept, session.part(members))


def _within(codes: array[int], roots: array[int], local: array[int], count: int) -> array[int]:
    """:func:`_within_py`, in C where the wheel built it."""
    if _WITHIN is None or not all(a.typecode == "q" for a in (codes, roots, local)):
        return _within_py(codes, roots, local, count)
    kept = array("q", bytes(8 * _WITHIN(codes, roots, local, count, array("q"))))
    _WITHIN(codes, roots, local, count, kept)
    return kept


def _within_py(codes: array[int], roots: array[int], local: array[int],
               count: int) -> array[int]:
    """The conflict codes (``i * len(roots) + j``) of names of one component whose first
    name is kept (``local[i] >= 0``), renumbered ``local[i] * count + local[j]``, in order.

    >>> list(_within_py(array("q", [1, 2, 5]), array("q", [0, 0, 2]), array("q", [0, 1, -1]), 2))
    [1]
    """
    size = len(roots)
    kept = array("q")
    for code in codes:
        i, j = divmod(code, size)
        if local[i] >= 0 and roots[i] == roots[j]:
            kept.append(local[i] * count + local[j])
    return kept


def _load_within() -> Callable[[array[int], array[int], array[int], int, array[int]], int] | None:
    """The C twin of :func:`_within_py`, where the wheel was built with a C compiler."""
    if array("q").itemsize != 8:  # the kernel reads the arrays as int64
        return None
    try:
        from ._kernels import within
    except ImportError:
        return None
    return within


_WITHIN: Final = _load_within()


def _attach_single_mentions(clusters: Clusters, single_links: dict[int, list[tuple[float, int]]],
                            names: NameList, part_counts: Sequence[int]) -> None:
    """Join each group of one-part mentions to the one entity it fits best, if any."""
    texts = names.texts
    mentions: Counter[int] = Counter()
    for i, text in enumerate(texts):
        mentions[clusters.find(i)] += names.counts[text]
    best: dict[int, tuple[float, int, str, int]] = {}
    for single, offers in single_links.items():
        group = clusters.find(single)
        for score, full in offers:
            root = clusters.find(full)
            offer = (score, mentions[root], texts[root], root)
            # Highest score, then the entity mentioned most, then a fixed order.
            if group not in best or (offer[0], offer[1], _neg(offer[2])) > (
                best[group][0], best[group][1], _neg(best[group][2])
            ):
                best[group] = offer
    has_full_name = {clusters.find(i) for i, count in enumerate(part_counts) if count > 1}
    for group, (_, _, _, root) in sorted(best.items()):
        if group not in has_full_name:  # already in a full name's entity
            clusters.union(group, root)


def _neg(text: str) -> tuple[int, ...]:
    """Sort key reversing string order, for max() over (score, count, text) tuples."""
    return tuple(-ord(c) for c in text)


@dataclass(frozen=True)
class _Known:
    """Scores already computed: ``heads[i]`` is the first name of name i's signature, and
    ``scores`` holds the matches' scores by their ``codes`` (smaller head index * number
    of names + larger), ascending."""

    heads: Sequence[int]
    codes: array[int]
    scores: array[float]
    part_counts: Sequence[int]

    def score(self, i: int, j: int, texts: Sequence[str],
              table: AliasTable | None) -> float | None:
        """The score of names i and j if it is known without comparing them again."""
        if not 0 < self.part_counts[i] <= MAX_PARTS or not 0 < self.part_counts[j] <= MAX_PARTS:
            return None
        if table is not None and table.names and (
                texts[i] in table.names or texts[j] in table.names):
            return None  # an alias of the whole name decides by its text, not its signature
        hi, hj = self.heads[i], self.heads[j]
        if hi == hj:
            return 1.0  # same parts, same forms: every part pairs with similarity 1
        code = min(hi, hj) * len(self.heads) + max(hi, hj)
        at = bisect_right(self.codes, code) - 1  # the last, as a table would keep it
        return self.scores[at] if at >= 0 and self.codes[at] == code else None


def _entity_id(members: Iterable[str]) -> str:
    digest = hashlib.blake2b(min(members).encode("utf-8"), digest_size=6).hexdigest()
    return "E" + digest


def _canonical_key(name: Name, count: int, shown: str) -> tuple[int, int, int, int, str]:
    return _canonical_order(len(name.parts), name.text, count, shown)


def _canonical_order(parts: int, text: str, count: int,
                     shown: str) -> tuple[int, int, int, int, str]:
    """The order members of an entity are chosen in as its canonical name: a name of
    ``parts`` parts and normalized ``text``, written ``count`` times, shown as ``shown``."""
    return (
        -int(parts > 1),  # a full name before a one-part mention
        int(is_arabic(text)),  # a Latin spelling before Arabic script
        -count,  # the most frequent spelling
        -parts,  # the most complete
        shown,
    )


def without_titles(written: str, name: Name) -> str:
    """The name as written, less the leading titles the parser stripped.

    >>> from namematch.parse import parse
    >>> without_titles("Brig. Gen. Ahmed al-Mesmari", parse("Brig. Gen. Ahmed al-Mesmari"))
    'Ahmed al-Mesmari'
    """
    return _less_titles(written, name.titles)


def _less_titles(written: str, titles: tuple[str, ...]) -> str:
    """:func:`without_titles` of a name with ``titles``."""
    drop = sum(len(title.split()) for title in titles)
    words = written.split()
    return " ".join(words[drop:]) if 0 < drop < len(words) else written.strip()


def _most_written(forms: Mapping[str, int]) -> str:
    """The spelling written most often, the first in string order among equals."""
    if len(forms) == 1:  # most names: no call of min() and its key function
        return next(iter(forms))
    return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _canonical(names: NameList, clusters: Clusters, session: Session,
               known: _Known) -> Resolved:
    """Each entity's id and canonical name, and each name's score against it."""
    texts, parsed, counts = names.texts, names.parsed, names.counts
    display = {text: _less_titles(_most_written(names.written[text]), titles_of(parsed, i))
               for i, text in enumerate(texts)}
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(texts)):
        members[clusters.find(i)].append(i)
    table = session.table
    entity_of: dict[int, tuple[str, int, str]] = {}
    aliased: dict[int, list[int]] = {}
    for root, group in members.items():
        canonical = group[0] if len(group) == 1 else min(
            group, key=lambda i: _canonical_order(known.part_counts[i], texts[i],
                                                  counts[texts[i]], display[texts[i]]))
        shown = display[texts[canonical]]
        if table is not None and table.names:
            canonical, shown, aliased[root] = _alias_canonical(group, canonical, shown, texts,
                                                               table)
        entity_of[root] = (_entity_id(texts[i] for i in group), canonical, shown)
    # One score per distinct name, against its entity's canonical name.
    scores = _scores(texts, clusters, entity_of, known, session)
    resolved: Resolved = {}
    for i, text in enumerate(texts):
        root = clusters.find(i)
        entity, canonical, shown = entity_of[root]
        score = scores[i]
        for other in aliased.get(root, ()):
            # An alias of the canonical name stands for it, with the alias's score 1.0.
            if score < 1.0:
                score = max(score, session.outcome(i, other).score)
        resolved[text] = (entity, shown, round(score, 3))
    return resolved


def _scores(texts: Sequence[str], clusters: Clusters,
            entity_of: dict[int, tuple[str, int, str]], known: _Known,
            session: Session) -> list[float]:
    """Each name's score against its entity's canonical name: known, or compared."""
    scores: list[float] = []
    for i in range(len(texts)):
        canonical = entity_of[clusters.find(i)][1]
        score = 1.0 if canonical == i else known.score(i, canonical, texts, session.table)
        if score is None:
            score = session.outcome(i, canonical).score
        scores.append(score)
    return scores


def _alias_canonical(group: list[int], canonical: int, shown: str, texts: Sequence[str],
                     table: AliasTable) -> tuple[int, str, list[int]]:
    """The canonical member and display name of an entity (``group``, ``canonical`` and
    ``shown`` as chosen without aliases) with its whole-name aliases, and the members that
    are aliases of the canonical name.

    A member's alias group that gives a preferred form names the entity (the first such
    group in file order); the member written that way, if any, is the canonical one.
    """
    preferred = [form for i in group if (form := table.preferred_form(texts[i])) is not None]
    if preferred:
        first = min(preferred, key=lambda form: (min(table.names[normalize(form)]), form))
        written = normalize(first)
        canonical = next((i for i in group if texts[i] == written), canonical)
        shown = first
    text = texts[canonical]
    return canonical, shown, [i for i in group
                              if i != canonical and table.same_name(texts[i], text)]
