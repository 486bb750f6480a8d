"""Titles in both scripts, and what a one-part mention may meet: a surname, not a father's
name after bin; after a title of address, the given name. Pairs from general knowledge."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import name_part

from namematch import compare
from namematch.keys import keys
from namematch.parse import parse
from namematch.tables import tables

_NAMES = tables().names
TITLES = list(_NAMES.titles)
AMBIGUOUS_TITLES = list(_NAMES.ambiguous_titles)
ADDRESS_TITLES = list(_NAMES.given_name_titles)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Maulavi Mohammad Omar", "Mohammad Omar"),
        ("Mawlawi Jalaluddin Haqqani", "Jalaluddin Haqqani"),
        ("Qari Din Mohammad Hanif", "Din Mohammad Hanif"),
        ("Hafiz Saeed Khan", "Saeed Khan"),
        ("Akhund Mohammad Hassan", "Mohammad Hassan"),
        ("Supreme Leader Ali Khamenei", "Ali Khamenei"),
        ("الدكتور أحمد المسماري", "Ahmed al-Mesmari"),
        ("الشيخ قيس الخزعلي", "Qais al-Khazali"),
        ("ملا محمد عمر", "Mohammad Omar"),
        ("مولوی محمد عمر", "Mohammad Omar"),
        ("سید حسن نصرالله", "Hassan Nasrallah"),
        ("حاجی محمد عمر", "Mohammad Omar"),
        ("الرئيس بشار الأسد", "Bashar al-Assad"),  # a hamza seat in the title
    ],
)
def test_titles_in_either_script_are_stripped(a: str, b: str) -> None:
    match = compare(a, b)
    assert match.decision == "match", match.explain()


def test_persian_letters_spell_the_same_title() -> None:
    # Persian yeh and keheh, and the alef maksura, spell the same title as Arabic letters.
    assert parse("سید علی خامنه ای").titles == ("سید",)
    assert parse("سيد علي خامنئي").titles == ("سيد",)
    assert parse("حاجى محمد عمر").titles == ("حاجى",)


def test_a_father_is_not_a_surname() -> None:
    # Mohammed bin Salman is the son of Salman: a bare "Salman" is not him.
    assert compare("King Salman", "Mohammed bin Salman").decision == "no-match"
    assert compare("Salman", "Mohammed bin Salman").decision == "no-match"
    # spelled with the bin, it is the family name (Bin Laden)
    assert compare("Bin Laden", "Osama bin Laden").decision == "match"
    # a family name after the nasab is still a surname
    assert compare("Al Thani", "Tamim bin Hamad Al Thani").decision == "match"


def test_a_title_of_address_names_the_person_by_the_first_part() -> None:
    assert compare("King Salman", "Salman bin Abdulaziz").decision == "match"
    assert compare("Emir Tamim", "Sheikh Tamim bin Hamad Al Thani").decision == "match"
    assert compare("الملك سلمان", "Salman bin Abdulaziz Al Saud").decision == "match"
    # the first part, not the last
    assert compare("Emir Thani", "Tamim bin Hamad Al Thani").decision == "no-match"
    assert compare("Emir Tamim", "Hamad bin Khalifa Al Thani").decision == "no-match"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # father and son
        ("Hamad bin Khalifa", "Tamim bin Hamad"),
        ("Hamad bin Khalifa Al Thani", "Tamim bin Hamad Al Thani"),
        ("Salman bin Abdulaziz", "Mohammed bin Salman"),
        # two brothers sharing a patronymic
        ("Mohammed bin Zayed", "Mansour bin Zayed"),
        ("Saud bin Faisal Al Saud", "Turki bin Faisal Al Saud"),
    ],
)
def test_family_members_stay_apart(a: str, b: str) -> None:
    assert compare(a, b).decision == "no-match"


@given(st.sampled_from(TITLES), name_part(), name_part(), name_part())
def test_a_title_before_a_full_name_never_changes_the_verdict(
    title: str, given_name: str, family: str, other: str
) -> None:
    full = f"{given_name} al-{family}"
    for against in (f"{given_name} {family}", f"{given_name} {other}", family):
        assert compare(f"{title} {full}", against).decision == compare(full, against).decision


@given(st.sampled_from(AMBIGUOUS_TITLES), name_part(), name_part())
def test_an_ambiguous_title_is_stripped_only_before_two_parts(
    title: str, given_name: str, family: str
) -> None:
    assert parse(f"{title} {given_name} {family}").forms == parse(f"{given_name} {family}").forms
    alone = parse(f"{title} {given_name}")
    # before one part it stays, unless it is a title of address (Sheikh Mohammed)
    assert len(alone.parts) == (1 if title in ADDRESS_TITLES else 2)
    assert alone.given_mention == (title in ADDRESS_TITLES)


def test_sheikh_before_one_name_names_the_person_by_it() -> None:
    assert compare("Sheikh Mohammed", "Mohammed bin Rashid Al Maktoum").decision == "match"
    assert compare("Sheikh Tamim", "Tamim bin Hamad Al Thani").decision == "match"
    # not a surname: Khalid Sheikh Mohammed is another man
    assert compare("Sheikh Mohammed", "Khalid Sheikh Mohammed").decision == "no-match"
    assert compare("الشيخ محمد", "Mohammed bin Zayed").decision == "match"


@given(st.sampled_from(["", "King ", "Emir ", "Bin "]), name_part(),
       st.lists(name_part(), min_size=1, max_size=3), st.booleans())
def test_blocking_keys_pair_every_mention_the_comparison_accepts(
    prefix: str, mention: str, rest: list[str], nasab: bool
) -> None:
    for full in (" ".join([mention, *rest]), " ".join([*rest, mention]),
                 " bin ".join([*rest, mention]) if nasab else f"{mention} bin {rest[0]}"):
        one = prefix + mention
        if compare(one, full).decision == "match":
            shared = keys(one) & keys(full)
            assert any(k.startswith("p:") for k in shared), (one, full)


def test_a_given_name_before_a_kunya_may_be_left_out() -> None:
    # a nom de guerre: the person goes by the kunya and nisba
    assert compare("Abu Bakr al-Baghdadi", "Ibrahim Abu Bakr al-Baghdadi").decision == "match"
    assert keys("Abu Bakr al-Baghdadi") & keys("Ibrahim Abu Bakr al-Baghdadi")
    # but another kunya is another person
    assert compare("Abu Walid al-Sahrawi", "Adnan Abu Bakr al-Sahrawi").decision == "no-match"
