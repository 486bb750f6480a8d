"""Tests of the gazetteer: linking, decisions, export/import, storage errors, crashes and
concurrent processes, and the tour in docs/gazetteer.md."""

from __future__ import annotations

import contextlib
import csv
import doctest
import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from namematch import Gazetteer, NamematchError, load_aliases, resolve
from namematch.gazetteer import (
    DecisionError,
    RulesChangedWarning,
    StaleIndexError,
    UnknownEntityError,
)
from namematch.keys import PART_KEY, keys, skeleton_code
from namematch.store import (
    DatabaseLockedError,
    DiskFullError,
    NewerSchemaError,
    NotAGazetteerError,
    ReadOnlyError,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "names.txt"
TABLE = load_aliases()
SYLLABLES = ["ba", "da", "fa", "ha", "ka", "la", "ma", "na", "ra", "sa", "ta", "za"]


def partition(rows: list[str], ids: list[str]) -> list[list[str]]:
    groups: dict[str, set[str]] = {}
    for row, entity in zip(rows, ids, strict=True):
        if entity:
            groups.setdefault(entity, set()).add(row)
    return sorted(sorted(group) for group in groups.values())


def state(gaz: Gazetteer) -> dict[str, tuple[str, tuple[tuple[str, int], ...]]]:
    """Each entity that holds spellings: its name and spellings (ids merged away hold none)."""
    out = io.StringIO()
    gaz.export(out)
    found = {}
    for line in out.getvalue().splitlines():
        if '"record": "entity"' in line:
            entity = gaz.entity(line.split('"id": "')[1].split('"')[0])
            if entity.spellings and entity.id not in found:
                found[entity.id] = (entity.name, tuple(sorted(entity.spellings)))
    return found


# -- examples -------------------------------------------------------------------------------


def test_one_batch_gives_resolves_partition_canonical_names_and_scores() -> None:
    rows = SEEDS.read_text(encoding="utf-8").splitlines()
    expected = resolve(rows, aliases=TABLE)
    with Gazetteer(aliases=TABLE) as gaz:
        links = gaz.add(rows)
    assert [link.name for link in links] == rows
    assert partition(rows, [r.entity for r in expected]) == partition(
        rows, [link.entity for link in links])
    assert [r.canonical for r in expected] == [link.canonical for link in links]
    assert [r.score for r in expected] == [link.score for link in links]


def test_later_batches_link_to_stored_entities_and_keep_ids() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        first = gaz.add(["Ahmed al-Mesmari", "Hassan Nasrallah", "Muammar Gaddafi"])
        later = gaz.add(["Ahmad al-Mismari", "Hasan Nasrallah", "Moammar Qadhafi",
                         "Khalifa Haftar", "", "Hassan Nasrallah"])
        assert [link.entity for link in later[:3]] == [link.entity for link in first]
        assert [link.status for link in later] == ["linked", "linked", "linked", "new",
                                                   "blank", "known"]
        assert later[3].entity not in {link.entity for link in first}
        assert gaz.entity(first[1].entity).spellings == (("Hassan Nasrallah", 2),
                                                          ("Hasan Nasrallah", 1))


def test_a_bare_surname_meets_the_most_mentioned_full_name_of_a_big_bucket() -> None:
    # Over 50 stored names end in Mesmari: the bucket is read only through its leaders.
    given = [a + b + "d" for a in SYLLABLES for b in SYLLABLES][:70]
    with Gazetteer(aliases=TABLE) as gaz:
        gaz.add([f"{g.capitalize()} al-Mesmari" for g in given])
        famous = gaz.add(["Ahmed al-Mesmari"] * 12)[0].entity
        gaz.add([f"{g.capitalize()} al-Mesmari" for g in given[:5]] * 3)
        connection = gaz._store.connection  # type: ignore[attr-defined]
        size, leaders = connection.execute(
            "SELECT size, leaders FROM buckets WHERE key = ?",
            (PART_KEY | skeleton_code("msmr"),)).fetchone()
        assert size == 71 and len(leaders.split()) == 5
        assert gaz.add(["Mesmari"])[0].entity == famous


def test_link_and_match_are_read_only() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        stored = gaz.add(["Ahmed al-Mesmari", "Hassan Nasrallah"])
        before = state(gaz)
        screened = gaz.link(["Ahmed al-Mismari", "Walid Jumblatt", "Hassan Nasrallah"])
        assert [(s.entity, s.status) for s in screened] == [
            (stored[0].entity, "linked"), ("", "none"), (stored[1].entity, "known")]
        found = gaz.match("Ahmad Mesmari")
        assert found[0].entity == stored[0].entity and found[0].decision == "match"
        assert "mesmari" in found[0].match.explain()
        assert gaz.match("") == []
        assert state(gaz) == before


def test_a_new_name_bridging_two_entities_waits_for_review() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        salah = gaz.add(["Khaled Omar"])[0].entity
        ghaly = gaz.add(["Khaled Omar Bashir Fadl"])[0].entity
        assert salah != ghaly
        bridge = gaz.add(["Khaled Omar Bashir"])[0]
        # It matches both; two stored entities are never merged automatically.
        assert bridge.status == "review" and bridge.entity in {salah, ghaly}
        [item] = gaz.review()
        assert {item.a, item.b} == {salah, ghaly} and item.name == "Khaled Omar Bashir"
        gaz.decide(item.a, item.b, "same", by="analyst")
        assert gaz.review() == []
        assert gaz.resolve_id(ghaly) == gaz.resolve_id(salah) == salah  # the older id


def test_decide_same_merges_and_keeps_the_old_id_resolvable() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        a, b = (link.entity for link in gaz.add(["Abu Bakr al-Baghdadi", "Ibrahim Awad"]))
        decision = gaz.decide("Ibrahim Awad", a, "same", by="desk", note="same person")
        assert (decision.kind, decision.by, decision.note) == ("same", "desk", "same person")
        assert gaz.resolve_id(b) == a
        assert gaz.entity(b).id == a and gaz.entity(a).merged == (b,)
        assert gaz.add(["Ibrahim Awad"])[0].entity == a
        with pytest.raises(UnknownEntityError):
            gaz.resolve_id("E999")


def test_decide_different_splits_and_later_adds_obey_it() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        links = gaz.add(["Ahmed al-Mesmari", "Mesmari", "Ahmed al-Mismari"])
        assert len({link.entity for link in links}) == 1
        decision = gaz.decide("Ahmed al-Mesmari", "Mesmari", "different")
        assert decision.a == links[0].entity and decision.b != decision.a
        assert gaz.entity(decision.b).spellings == (("Mesmari", 1),)
        again = gaz.add(["Mesmari", "Ahmed al-Mesmari", "Ahmad Mesmari"])
        assert again[0].entity == decision.b and again[1].entity == decision.a
        with pytest.raises(DecisionError):
            gaz.decide(decision.a, decision.b, "same")


def test_undo_restores_and_only_the_latest_decision_can_be_undone() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        gaz.add(["Ahmed al-Mesmari", "Mesmari", "Hassan Nasrallah", "Khalifa Haftar"])
        before = state(gaz)
        first = gaz.decide("Mesmari", "Ahmed al-Mesmari", "different")
        second = gaz.decide("Hassan Nasrallah", "Mesmari", "same")
        with pytest.raises(DecisionError, match="undo it first"):
            gaz.undo(first.id)
        gaz.undo(second.id)
        gaz.undo(first.id)
        assert state(gaz) == before
        with pytest.raises(DecisionError):
            gaz.undo(first.id)
        assert [d.kind for d in gaz.decisions()] == ["different", "same", "undo", "undo"]
        assert [d.undone for d in gaz.decisions()] == [True, True, False, False]


def test_bad_input_is_a_typed_error_and_stores_nothing() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        with pytest.raises(NamematchError, match="name 1 is int 3, not a str"):
            gaz.add(["Ahmed al-Mesmari", 3])  # type: ignore[list-item]
        with pytest.raises(NamematchError, match="single str"):
            gaz.link("Ahmed al-Mesmari")
        with pytest.raises(NamematchError, match="name must be a str"):
            gaz.match(None)  # type: ignore[arg-type]
        assert state(gaz) == {}
        # A missing value is a blank name, as resolve takes it.
        assert [link.status for link in gaz.add(["Mesmari", None])] == ["new", "blank"]
        with pytest.raises(NamematchError):
            gaz.decide("Ahmed al-Mesmari", "Mesmari", "maybe")  # type: ignore[arg-type]
        with pytest.raises(NamematchError):
            gaz.decide("", "Mesmari", "same")
        with pytest.raises(NamematchError, match="must be a str"):
            gaz.decide(None, "Mesmari", "same")  # type: ignore[arg-type]
        with pytest.raises(NamematchError, match="path or a text stream"):
            gaz.export(None)  # type: ignore[arg-type]
        with pytest.raises(NamematchError, match="path or lines"):
            gaz.import_(3)  # type: ignore[arg-type]
        with Gazetteer() as empty, pytest.raises(NamematchError, match="line 1: not text"):
            empty.import_([3])  # type: ignore[list-item]
        with pytest.raises(NamematchError, match="name must be a str"):
            gaz.set_name("E1", None)  # type: ignore[arg-type]


def test_set_name_is_kept() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        entity = gaz.add(["Mesmari"])[0].entity
        gaz.set_name(entity, "Ahmed al-Mesmari (LNA)")
        assert gaz.add(["Ahmed al-Mesmari"])[0].canonical == "Ahmed al-Mesmari (LNA)"
        with pytest.raises(NamematchError):
            gaz.set_name(entity, "  ")


def test_a_full_name_becomes_the_canonical_name_of_a_bare_surname() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        entity = gaz.add(["Mesmari", "Mesmari"])[0].entity
        assert gaz.add(["Ahmed al-Mesmari"])[0].canonical == "Ahmed al-Mesmari"
        assert gaz.entity(entity).name == "Ahmed al-Mesmari"


def test_export_import_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "entities.jsonl"
    with Gazetteer(tmp_path / "a.db", aliases=TABLE) as gaz:
        gaz.add(["Ahmed al-Mesmari", "Mesmari", "Hassan Nasrallah", "Hasan Nasrallah"])
        gaz.decide("Ahmed al-Mesmari", "Mesmari", "different", by="me")
        gaz.export(path)
        with pytest.raises(NamematchError, match="cannot write"):
            gaz.export(tmp_path / "missing" / "entities.jsonl")
    with pytest.raises(NamematchError, match="no folder"):
        Gazetteer(tmp_path / "missing" / "entities.db")
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # as other files, not private
    with Gazetteer(tmp_path / "b.db", aliases=TABLE) as copy:
        assert copy.import_(path) == 3
        out = io.StringIO()
        copy.export(out)
        assert out.getvalue() == path.read_text(encoding="utf-8")
        with pytest.raises(NamematchError, match="empty database"):
            copy.import_(path)
    with Gazetteer(aliases=TABLE) as bad, pytest.raises(NamematchError, match="line 1"):
        bad.import_(["{not json"])


def test_rebuild_after_the_rules_change(tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    with Gazetteer(path, aliases=TABLE) as gaz:
        ids = [link.entity for link in gaz.add(["Ahmed al-Mesmari", "Hassan Nasrallah"])]
    with sqlite3.connect(path) as db:
        keys_before = sorted(db.execute("SELECT key, spelling FROM keys"))
        db.execute("UPDATE meta SET value = 'older' WHERE key = 'rules'")
    with pytest.warns(RulesChangedWarning, match="rebuild"):
        gaz = Gazetteer(path, aliases=TABLE)
    with gaz:
        with pytest.raises(StaleIndexError):
            gaz.add(["Mesmari"])
        assert gaz.match("Ahmed al-Mismari")[0].entity == ids[0]  # reads still work
        gaz.rebuild()
        assert gaz.add(["Ahmad al-Mismari"])[0].entity == ids[0]
    with sqlite3.connect(path) as db:
        assert sorted(db.execute("SELECT key, spelling FROM keys WHERE spelling <= 2")) == \
            keys_before
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Gazetteer(path, aliases=TABLE).close()


# -- storage errors --------------------------------------------------------------------------


def test_not_a_gazetteer(tmp_path: Path) -> None:
    text = tmp_path / "names.txt"
    text.write_text("Ahmed al-Mesmari\n" * 200)
    with pytest.raises(NotAGazetteerError, match="not a namematch gazetteer"):
        Gazetteer(text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(NotAGazetteerError):
        Gazetteer(other)
    with pytest.raises(NotAGazetteerError):
        Gazetteer(tmp_path)
def as_schema_1(path: Path) -> None:
    """Turn a database into what schema 1 wrote: text keys, no ``keys_of`` column."""
    with sqlite3.connect(path) as db:
        db.executescript("""
            DROP INDEX spellings_keys_of;
            ALTER TABLE spellings DROP COLUMN keys_of;
            DROP TABLE keys;
            DROP TABLE buckets;
            CREATE TABLE keys (
                key TEXT NOT NULL, spelling INTEGER NOT NULL, single INTEGER NOT NULL,
                PRIMARY KEY (key, spelling)) WITHOUT ROWID;
            CREATE TABLE buckets (key TEXT PRIMARY KEY, size INTEGER NOT NULL,
                leaders TEXT NOT NULL) WITHOUT ROWID;
            UPDATE meta SET value = '1' WHERE key = 'schema';
        """)
        for spelling, text in db.execute("SELECT id, text FROM spellings").fetchall():
            for key in keys(text):
                db.execute("INSERT INTO keys VALUES (?, ?, ?)", (key, spelling, " " not in text))
                db.execute("INSERT INTO buckets VALUES (?, 1, '') ON CONFLICT (key) "
                           "DO UPDATE SET size = size + 1", (key,))


def test_a_schema_1_database_is_upgraded_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    with Gazetteer(path, aliases=TABLE) as gaz:
        first = gaz.add(["Ahmed al-Mesmari", "Ahmad al-Mesmari", "Hassan Nasrallah",
                         "Mesmari", "Khalifa Haftar"])
        gaz.decide("Khalifa Haftar", "Hassan Nasrallah", "different", by="desk")
        before, decided = state(gaz), gaz.decisions()
    as_schema_1(path)
    path.chmod(0o444)
    with pytest.raises(ReadOnlyError, match="older namematch"):
        Gazetteer(path, aliases=TABLE)
    path.chmod(0o644)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gaz = Gazetteer(path, aliases=TABLE)
    with gaz:
        assert state(gaz) == before and gaz.decisions() == decided
        assert [link.entity for link in gaz.link(["Ahmed al-Mismari", "Hasan Nasrallah"])] == \
            [first[0].entity, first[2].entity]
        assert gaz.add(["Ahmed al-Mismari"])[0].entity == first[0].entity
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == "2"
        assert {type(key) for key, in db.execute("SELECT key FROM keys")} == {int}
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_spelling_that_folds_like_a_stored_one_has_no_index_rows() -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        first = gaz.add(["Khalifa Haftar"])[0].entity
        later = gaz.add(["Khalifa HAFTAR!", "General Khalifa Haftar"])
        assert [link.entity for link in later] == [first, first]
        connection = gaz._store.connection  # type: ignore[attr-defined]
        rows = dict(connection.execute(
            "SELECT s.text, count(k.key) FROM spellings s LEFT JOIN keys k "
            "ON k.spelling = s.id GROUP BY s.id"))
        assert [n for n in rows.values() if n == 0] == [0] * (len(rows) - 1)
        # and a lookup that finds the stored spelling finds the other too
        found = gaz.match("Kalifa Haftar")[0]
        assert found.entity == first




def test_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    Gazetteer(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(NewerSchemaError, match="newer namematch"):
        Gazetteer(path)


def test_read_only_file_reads_but_does_not_write(tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    with Gazetteer(path, aliases=TABLE) as gaz:
        entity = gaz.add(["Ahmed al-Mesmari"])[0].entity
    path.chmod(0o444)
    try:
        with Gazetteer(path, aliases=TABLE) as gaz:
            assert gaz.match("Ahmad al-Mismari")[0].entity == entity
            with pytest.raises(ReadOnlyError, match="read-only"):
                gaz.add(["Hassan Nasrallah"])
            assert gaz.link(["Hassan Nasrallah"])[0].status == "none"
    finally:
        path.chmod(0o644)


def test_disk_full_rolls_the_batch_back(tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    with Gazetteer(path, aliases=TABLE) as gaz:
        gaz.add(["Ahmed al-Mesmari", "Hassan Nasrallah"])
        before = state(gaz)
        connection = gaz._store.connection  # type: ignore[attr-defined]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages + 1}")
        with pytest.raises(DiskFullError, match="rolled back"):
            gaz.add([f"Name{i} Person{i}" for i in range(3000)])
        assert state(gaz) == before
        connection.execute("PRAGMA max_page_count = 1073741823")
        assert gaz.add(["Khalifa Haftar"])[0].status == "new"


# -- properties ------------------------------------------------------------------------------

@st.composite
def spelled_part(draw: st.DrawFn) -> str:
    """A part from a small pool, sometimes with a vowel slip: variants and collisions."""
    base = draw(st.sampled_from(SYLLABLES)) + draw(st.sampled_from(SYLLABLES)) + "r"
    if draw(st.booleans()):
        base = base.replace("a", draw(st.sampled_from(["e", "i", "o"])), 1)
    return base.capitalize()


names = st.lists(spelled_part(), min_size=1, max_size=3).map(" ".join)
batches = st.lists(st.lists(names, min_size=1, max_size=8), min_size=1, max_size=4)
PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(names, max_size=30))
def test_one_batch_into_an_empty_database_is_resolve(rows: list[str]) -> None:
    expected = resolve(rows, aliases=TABLE)
    with Gazetteer(aliases=TABLE) as gaz:
        links = gaz.add(rows)
    assert partition(rows, [r.entity for r in expected]) == partition(
        rows, [link.entity for link in links])
    assert [(r.canonical, r.score) for r in expected] == [
        (link.canonical, link.score) for link in links]


@PROPERTY
@given(batches)
def test_ids_of_stored_names_never_change(batch_list: list[list[str]]) -> None:
    seen: dict[str, str] = {}
    with Gazetteer(aliases=TABLE) as gaz:
        for batch in batch_list:
            for link in gaz.add(batch):
                assert seen.setdefault(link.name, link.entity) == link.entity
            rows = list(seen)
            assert [link.entity for link in gaz.link(rows)] == [seen[r] for r in rows]


BUCKET_NAMES = [f"{a.capitalize()}{b}d al-Mesmari" for a in SYLLABLES[:6] for b in SYLLABLES[:5]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from([*BUCKET_NAMES, "Mesmari", "al-Mesmari"]),
                         min_size=1, max_size=40), min_size=1, max_size=5))
def test_big_buckets_keep_their_size_and_most_mentioned_spellings(
        batch_list: list[list[str]]) -> None:
    # The rows of ``buckets`` are kept up to date batch by batch; they must say what the
    # tables say: the key's size and its longer spellings mentioned most (then oldest).
    with Gazetteer(aliases=TABLE) as gaz:
        for batch in batch_list:
            gaz.add(batch)
        db = gaz._store.connection  # type: ignore[attr-defined]
        over = {key for key, in db.execute(
            "SELECT key FROM keys GROUP BY key HAVING count(*) > 20")}
        rows = db.execute("SELECT key, size, leaders FROM buckets").fetchall()
        assert {key for key, _, _ in rows} == over
        for key, size, leaders in rows:
            assert size == db.execute("SELECT count(*) FROM keys WHERE key = ?",
                                      (key,)).fetchone()[0]
            ranked = db.execute(
                "SELECT k.spelling, s.mentions FROM keys k JOIN spellings s ON s.id = "
                "k.spelling WHERE k.key = ? AND k.single = 0 ORDER BY s.mentions DESC, s.id "
                "LIMIT 5", (key,)).fetchall()
            assert leaders == " ".join(f"{s}:{m}" for s, m in ranked)


@PROPERTY
@given(st.lists(names, min_size=2, max_size=8), batches, st.data())
def test_a_different_decision_is_never_violated(first: list[str],
                                                later: list[list[str]],
                                                data: st.DataObject) -> None:
    a = data.draw(st.sampled_from(first))
    b = data.draw(st.sampled_from(first))
    with Gazetteer(aliases=TABLE) as gaz:
        gaz.add(first)
        if gaz.link([a])[0].entity == gaz.link([b])[0].entity and (
                a.casefold() == b.casefold()):
            return  # one spelling cannot differ from itself
        gaz.decide(a, b, "different")
        for batch in later:
            gaz.add(batch)
            left, right = gaz.link([a, b])
            assert left.entity != right.entity


@PROPERTY
@given(batches, st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.booleans()),
                         max_size=3))
def test_export_then_import_gives_the_same_entities_ids_and_decisions(
        batch_list: list[list[str]], choices: list[tuple[int, int, bool]]) -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        stored = [link.name for batch in batch_list for link in gaz.add(batch)]
        for i, j, same in choices:
            # A decision the state refuses (against an earlier one) changes nothing.
            with contextlib.suppress(DecisionError):
                gaz.decide(stored[i % len(stored)], stored[j % len(stored)],
                           "same" if same else "different")
        exported = io.StringIO()
        gaz.export(exported)
        linked = gaz.link(stored)
        entities, decisions = state(gaz), gaz.decisions()
    with Gazetteer(aliases=TABLE) as copy:
        copy.import_(exported.getvalue().splitlines())
        again = io.StringIO()
        copy.export(again)
        assert again.getvalue() == exported.getvalue()
        assert copy.link(stored) == linked
        assert state(copy) == entities and copy.decisions() == decisions


@PROPERTY
@given(batches, st.integers(0, 50), st.integers(0, 50), st.sampled_from(["same", "different"]))
def test_decide_then_undo_restores_the_previous_state(
        batch_list: list[list[str]], i: int, j: int, verdict: str) -> None:
    with Gazetteer(aliases=TABLE) as gaz:
        stored = [link.name for batch in batch_list for link in gaz.add(batch)]
        before = state(gaz)
        a, b = stored[i % len(stored)], stored[j % len(stored)]
        try:
            decision = gaz.decide(a, b, verdict)  # type: ignore[arg-type]
        except DecisionError:
            assert state(gaz) == before
            return
        gaz.undo(decision.id)
        assert state(gaz) == before


# -- crashes and concurrent processes --------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    from namematch import Gazetteer
    from namematch.store import SQLiteStore

    path, batches, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    def batch(k):
        return [f"Per{k}son{i} Fam{i % 7}ily{k}" for i in range(300)]
    with Gazetteer(path) as gaz:
        for k in range(batches):
            gaz.add(batch(k), source=f"batch {k}")
            print("committed", k, flush=True)
        commit = SQLiteStore.commit
        def paused(self):
            print("committing", flush=True)
            if pause == "forever":
                time.sleep(600)
            else:
                sys.stdin.readline()
            commit(self)
        SQLiteStore.commit = paused
        gaz.add(batch(batches), source="last")
        print("done", flush=True)
""")


def start_writer(path: Path, batches: int, pause: str) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(batches), pause],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    for k in range(batches):
        assert child.stdout.readline().split() == ["committed", str(k)]
    assert child.stdout.readline().strip() == "committing"
    return child


def close(child: subprocess.Popen[str]) -> None:
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()


def count_spellings(path: Path) -> int:
    with Gazetteer(path) as gaz:
        return len([link for link in gaz.link(
            [f"Per{k}son{i} Fam{i % 7}ily{k}" for k in range(4) for i in range(300)])
            if link.status == "known"])


def test_a_batch_killed_midway_leaves_nothing_and_earlier_batches_whole(tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    child = start_writer(path, 2, "forever")
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    close(child)
    assert count_spellings(path) == 600  # the two committed batches, nothing of the third
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM batches").fetchone()[0] == 2
        assert db.execute("SELECT count(*) FROM keys WHERE spelling > 600").fetchone()[0] == 0
    with Gazetteer(path) as gaz:  # and it takes the next batch, where the killed one was
        assert gaz.add(["Per2son1 Fam1ily2"])[0].status in ("new", "linked")
        assert gaz.add(["Per2son1 Fam1ily2"])[0].status == "known"


def test_a_reader_sees_before_or_after_and_a_second_writer_waits_or_fails(
        tmp_path: Path) -> None:
    path = tmp_path / "entities.db"
    child = start_writer(path, 1, "stdin")
    assert child.stdin is not None and child.stdout is not None
    try:
        assert count_spellings(path) == 300  # the batch being written is not seen yet
        with Gazetteer(path, timeout=0.2) as other, pytest.raises(
                DatabaseLockedError, match="locked by another writer"):
            other.add(["Khalifa Haftar"])
        cli = subprocess.run([sys.executable, "-m", "namematch.cli", "add", "--db", str(path),
                              "--timeout", "0.2", "-"], input="Khalifa Haftar\n",
                             capture_output=True, text=True, timeout=60)
        assert cli.returncode == 1 and cli.stdout == ""
        assert cli.stderr.count("\n") == 1 and "locked by another writer" in cli.stderr
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done"
    finally:
        child.kill()
        child.wait(timeout=30)
        close(child)
    assert count_spellings(path) == 600
    with Gazetteer(path) as gaz:  # a writer that waits gets its turn
        assert gaz.add(["Khalifa Haftar"])[0].status == "new"


# -- the tour --------------------------------------------------------------------------------


def test_the_tour_in_the_docs_runs_as_written(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(ROOT / "docs" / "gazetteer.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0
    assert not os.path.exists(tmp_path / "nothing")


# -- command line ----------------------------------------------------------------------------


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "namematch.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_add_gives_one_row_per_line_with_ids_and_status(tmp_path: Path) -> None:
    db = str(tmp_path / "entities.db")
    first = cli("add", "--db", db, "--format", "csv", "-",
                stdin="Ahmed al-Mesmari\n=HYPERLINK()\n\nMesmari\n")
    assert first.returncode == 0, first.stderr
    rows = first.stdout.splitlines()
    assert rows[0] == "name,entity,canonical,score,status"
    assert rows[1] == "Ahmed al-Mesmari,E1,Ahmed al-Mesmari,1.000,new"
    assert rows[2].startswith("'=HYPERLINK(),E2,") and rows[3] == ",,,,blank"
    second = cli("add", "--db", db, "-", stdin="Ahmad al-Mismari\nMesmari\n")
    assert [r.split("\t")[1:] for r in second.stdout.splitlines()[1:]] == [
        ["E1", "Ahmed al-Mesmari", "0.955", "linked"], ["E1", "Ahmed al-Mesmari", "1.000",
                                                        "known"]]
    matched = cli("match", "--db", db, "Ahmed Mesmari")
    assert matched.stdout.startswith("E1\tAhmed al-Mesmari\t") and "weight" in matched.stdout


def test_cli_add_and_link_read_a_table_column_and_write_atomically(tmp_path: Path) -> None:
    db, people, out = (str(tmp_path / n) for n in ("t.db", "people.csv", "linked.csv"))
    Path(people).write_text('id,name,note\n1,Ahmed al-Mesmari,"spokesman, LNA"\n'
                            "2,أحمد المسماري,arabic\n3,Mesmari,\n", encoding="utf-8")
    added = cli("add", "--db", db, people, "--column", "name", "--format", "csv", "-o", out)
    assert added.returncode == 0, added.stderr
    rows = list(csv.reader(io.StringIO(Path(out).read_text(encoding="utf-8"))))
    assert rows[0] == ["id", "name", "note", "entity", "canonical", "score", "status"]
    assert [r[:3] for r in rows[1:]] == [["1", "Ahmed al-Mesmari", "spokesman, LNA"],
                                          ["2", "أحمد المسماري", "arabic"], ["3", "Mesmari", ""]]
    assert rows[1][3] == rows[2][3] == rows[3][3] == "E1"
    linked = cli("link", "--db", db, people, "--column", "2", "--format", "tsv")
    assert [r.split("\t")[-1] for r in linked.stdout.splitlines()[1:]] == ["known"] * 3
    # A table without --column is refused, and a failed run leaves no output file.
    refused = cli("add", "--db", db, people, "-o", str(tmp_path / "none.csv"))
    assert refused.returncode == 2 and "--column" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.csv").exists()


def test_cli_decide_review_export_import(tmp_path: Path) -> None:
    db, copy, dump = (str(tmp_path / n) for n in ("a.db", "b.db", "a.jsonl"))
    cli("add", "--db", db, "-", stdin="Khaled Omar\n")
    cli("add", "--db", db, "-", stdin="Khaled Omar Bashir Fadl\n")
    cli("add", "--db", db, "-", stdin="Khaled Omar Bashir\n")
    review = cli("review", "--db", db).stdout.splitlines()
    assert len(review) == 2 and review[1].split("\t")[5] == "Khaled Omar Bashir"
    decided = cli("decide", "--db", db, "E1", "E2", "same", "--by", "desk")
    assert decided.stdout.startswith("decision #1: E1 (Khaled Omar) same E2")
    assert cli("review", "--db", db).stdout.splitlines()[1:] == []
    assert cli("export", "--db", db, dump).returncode == 0
    assert cli("import", "--db", copy, dump).returncode == 0
    assert cli("export", "--db", copy).stdout == Path(dump).read_text(encoding="utf-8")
    again = cli("import", "--db", copy, dump)
    assert again.returncode == 1 and again.stderr.count("\n") == 1


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all, really not\n" * 100)
    for args in (("match", "--db", str(junk), "Ahmed"),
                 ("undo", "--db", str(tmp_path / "new.db"), "3"),
                 ("entity", "--db", str(tmp_path / "new.db"), "E9")):
        result = cli(*args)
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.startswith("namematch: error: ") and result.stderr.count("\n") == 1
