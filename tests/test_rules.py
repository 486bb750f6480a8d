"""Each spelling rule with real spelling pairs, and the hard negatives that must stay apart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import name_pairs

from namematch import compare, fold, parse
from namematch.compare import Comparer
from namematch.distance import PART_THRESHOLD, form_similarity
from namematch.keys import keys
from namematch.parse import Part
from namematch.rules import NameFacts


def similar(a: str, b: str) -> float:
    return form_similarity(fold(a), fold(b))


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        ("Mesmari", "Mismari", "vowel drift e/i"),
        ("Ghassari", "Ghosri", "vowel drift and a dropped short vowel"),
        ("Moammar", "Muammar", "o/u"),
        ("Mouammar", "Muammar", "French ou"),
        ("Qadhafi", "Gaddafi", "q/g and dh/d"),
        ("Kadhafi", "Qadhafi", "k/q"),
        ("Nadoori", "Nadhouri", "dh/d and oo/ou"),
        ("Nazouri", "Nadhouri", "z/dh"),
        ("Haddad", "Hadad", "doubled consonant"),
        ("Sarraj", "Serraj", "doubled consonant and vowel"),
        ("Chalifa", "Khalifa", "German ch/kh"),
        ("Chia", "Shia", "French ch/sh"),
        ("Dschibril", "Jibril", "German dsch/j"),
        ("Gebril", "Jibril", "Egyptian g/j"),
        ("Scharaa", "Sharaa", "German sch/sh"),
        ("Belhadj", "Belhaj", "French dj/j"),
        ("Khamees", "Khamis", "ee/i long vowel"),
        ("Husayn", "Hussein", "ay/ei diphthong"),
        ("Qusai", "Qusay", "final ai/ay"),
        ("Dbeibah", "Dbeiba", "ta marbuta -ah/-a"),
        ("Haniyeh", "Haniya", "ta marbuta -eh/-a"),
        ("Saleh", "Salih", "e/i before final h"),
        ("Werfalli", "Warfalli", "vowel drift a/e"),
        ("Ja'fari", "Jafari", "ayn apostrophe"),
        ("Muʿallim", "Moallem", "ayn mark and vowels"),
        ("Salmane", "Salman", "French silent e"),
        ("Abdelrazzak", "Abdulrazek", "abd- compound article"),
        ("Abdurrazak", "Abdelrazzak", "sun letter assimilation in a joined compound"),
        ("Abdallah", "Abdullah", "abd- compound vowel"),
        ("Rafic", "Rafik", "c/k"),
        ("Pashagha", "Bashagha", "p/b"),
        ("Kataeb", "Kata'ib", "hamza on ya: ae/a'i"),
        ("Ziyad", "Ziad", "intervocalic y"),
        ("Oualid", "Walid", "French initial ou before a vowel is w"),
        ("Abdelouahab", "Abdelwahab", "French ou after a joined abd- article"),
        ("Fouad", "Fuad", "ou inside a word stays a vowel"),
        ("Faycal", "Faisal", "French c-cedilla written c"),
        ("Faical", "Faysal", "French c-cedilla written c"),
        ("Hamraoui", "Hamrawi", "French aou before a vowel is aw"),
        ("Ruhollah", "Ruhullah", "-ullah/-ollah"),
        ("Jalaluddin", "Jalal ud-Din", "-uddin/ud-Din"),
        ("Akhundzadeh", "Akhundzada", "-zadeh/-zada"),
        ("Ejei", "Ezhei", "Persian zh written j"),
    ],
)
def test_spelling_rule_joins_variants(a: str, b: str, rule: str) -> None:
    assert similar(a, b) >= PART_THRESHOLD, rule


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hassan", "Hussein"),
        ("Hasan", "Husayn"),
        ("Hassan", "Hassani"),
        ("Ahmed", "Hamed"),
        ("Ali", "Alaa"),
        ("Saad", "Saadi"),
        ("Omar", "Amr"),
        ("Mohammed", "Mahmoud"),
        ("Saad", "Said"),
        ("Gaddafi", "Gaddaf"),
    ],
)
def test_hard_negative_parts_stay_apart(a: str, b: str) -> None:
    assert similar(a, b) < PART_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hassan Nasrallah", "Hussein Nasrallah"),
        ("Saif al-Islam Gaddafi", "Muammar Gaddafi"),
        ("Hannibal Gaddafi", "Saadi Gaddafi"),
        ("Saddam Hussein", "Uday Saddam Hussein"),
        ("Hussein bin Talal", "Hassan bin Talal"),
        ("Mohammed bin Salman", "Mohammed bin Zayed"),
        ("Ali Abdullah Saleh", "Ahmed Ali Abdullah Saleh"),
        ("Mohammed Baqir al-Sadr", "Mohammed Baqir al-Hakim"),
        ("Ahmed Gaddaf al-Dam", "Ahmed Gaddafi"),
        ("Ali Hassan", "Hassan Ali"),
        ("Omar Khalid Haftar", "Khalid Omar Haftar"),
    ],
)
def test_hard_negative_names_do_not_match(a: str, b: str) -> None:
    assert compare(a, b).decision == "no-match"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Abdul Razek al-Nadoori", "Abdelrazzak al-Nadhouri"),
        ("Hassan Nasrallah", "Hassan Nasr Allah"),
        ("Abu Bakr al-Baghdadi", "Abubakr al-Baghdadi"),
        ("Hussein Badreddin al-Houthi", "Husayn Badr al-Din al-Huthi"),
        ("Khalifa Haftar", "Khalifa Belqasim Haftar"),
        ("Muhammad bin Salman Al Saud", "Mohammed bin Salman"),
        ("Saif al-Islam Gaddafi", "Seif el-Islam Kadhafi"),
        ("QADHAFI, Muammar", "Muammar Gaddafi"),
        ("Mourad Abd el-Ouahab", "Murad Abdelwahab"),
        ("Haftar Khalifa", "Khalifa Belqasim Haftar"),
        ("Mesmari Ahmed", "Ahmed al-Mismari"),
    ],
)
def test_name_structure_variants_match(a: str, b: str) -> None:
    match = compare(a, b)
    assert match.decision == "match", match.explain()


def test_titles_are_not_evidence() -> None:
    name = parse("Maj. Gen. Ahmed al-Mesmari")
    assert name.titles == ("maj gen",)
    assert [p.text for p in name.parts] == ["ahmed", "al-mesmari"]
    assert compare("Gen. Ahmed al-Mesmari", "Gen. Mohammed al-Haddad").decision == "no-match"


def test_ambiguous_title_kept_when_it_is_the_given_name() -> None:
    assert [p.text for p in parse("Sheikh Qais al-Khazali").parts] == ["qais", "al-khazali"]
    assert [p.text for p in parse("Sayyid Qutb").parts] == ["sayyid", "qutb"]


def test_compare_explains_every_part() -> None:
    match = compare("Khalifa Belqasim Haftar", "Khalifa Hifter")
    assert [(p.kind, p.a, p.b) for p in match.parts] == [
        ("same", "khalifa", "khalifa"),
        ("extra", "belqasim", ""),
        ("same", "haftar", "hifter"),
    ]


def test_joined_article_on_a_later_part() -> None:
    assert compare("Hisham Alhashimi", "Hisham Al-Hashimi").decision == "match"
    # a first part, or a short one, keeps its letters: Ali and Alawi are names
    assert [p.form for p in parse("Ali Alawi").parts] == [parse("Ali").parts[0].form,
                                                          parse("Alawi").parts[0].form]


def test_leading_mohammed_may_be_dropped_outside_a_nasab() -> None:
    assert compare("Mohammed Hosni Mubarak", "Hosni Mubarak").decision == "match"
    assert compare("Mohammad Hossein Shamkhani", "Hossein Shamkhani").decision == "match"
    # in a nasab chain the leading name is the person's own: the son is not his father
    assert compare("Mohammed bin Salman Al Saud", "Salman bin Abdulaziz Al Saud").decision == (
        "no-match"
    )
    # and another leading name is never optional
    assert compare("Uday Saddam Hussein", "Saddam Hussein").decision == "no-match"


def test_initials_abbreviate_the_parts_they_stand_for() -> None:
    match = compare("Ahmed M. al-Mesmari", "Ahmed Mohammed al-Mismari")
    assert match.decision == "match", match.explain()
    assert compare("Ahmed M. A. al-Mesmari", "Ahmed Mohammed Ali al-Mismari").decision == "match"
    # initials that spell other letters keep the names apart, but are no proof of two people
    other = compare("Ahmed M. al-Mesmari", "Ahmed Ali al-Mesmari")
    assert (other.decision, other.conflict) == ("no-match", False), other.explain()
    assert "'m.' does not abbreviate 'ali'" in other.reason
    # initials never join the next part into one word
    assert [p.kind for p in compare("Ahmed M. Ali", "Ahmed Mali").parts] != ["same", "same"]


def test_a_final_y_after_a_consonant_meets_the_nisba() -> None:
    # Masry is Masri: y and the nisba I are close (rules.yaml costs), and the keys meet. A
    # rewrite of final y to the nisba was tried and left out: it cut the one bridge between
    # a famous person's -i and -e spellings on the synthetic 1M list (recall 0.99 -> 0.78).
    assert compare("Mohamed El Masry", "Mohamed al-Masri").decision == "match"
    assert keys("Aiman al-Zawahry") & keys("Ayman al-Zawahiri")
    assert compare("Aiman al-Zawahry", "Ayman al-Zawahiri").decision == "match"
    assert fold("Zaki") != fold("Zak")


@pytest.mark.parametrize(
    ("mention", "full"),
    [
        ("Charif", "Ammar Sharif"),  # French ch is sh
        ("Osman", "Mohammed Othman"),  # th is s in Persian, Urdu and Turkish spellings
        ("Nazim", "Ahmed Nadhim"),  # dh is z
    ],
)
def test_blocking_pairs_the_second_reading_of_a_symbol(mention: str, full: str) -> None:
    assert compare(mention, full).decision == "match"
    assert any(k.startswith("p:") for k in keys(mention) & keys(full))


def _by_length(part: Part) -> float:
    return 1.0 + len(part.form)


@given(name_pairs(), st.sampled_from([_by_length, lambda part: 1.0]))
def test_kept_facts_compare_as_fresh_ones(texts: tuple[str, str],
                                          weights: Callable[[Part], float]) -> None:
    """A gazetteer keeps names' facts from batch to batch, each batch with its own weights:
    a comparer reading kept facts decides as one that works them out anew."""
    facts: dict[str, NameFacts] = {}
    names = [parse(text) for text in texts]
    earlier = Comparer(facts=facts, weights=_by_length)
    for name in names:
        earlier.prepare(name)
    kept = Comparer(facts=facts, weights=weights)
    fresh = Comparer(weights=weights)
    found = kept.outcome(*(kept.prepare(name) for name in names))
    expected = fresh.outcome(*(fresh.prepare(name) for name in names))
    assert (found.score, found.decision, found.conflict, found.reason) == (
        expected.score, expected.decision, expected.conflict, expected.reason)
