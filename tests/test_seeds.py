"""Example tests pinned on the seed articles (seeds/*.txt and seeds/names.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from namematch import resolve

NAMES = Path(__file__).resolve().parents[1] / "seeds" / "names.txt"


@pytest.fixture(scope="module")
def entity() -> dict[str, str]:
    names = NAMES.read_text(encoding="utf-8").splitlines()
    rows = resolve(names)
    assert len(rows) == len(names)
    return {r.name: r.entity for r in rows}


@pytest.mark.parametrize(
    "group",
    [
        # LNA spokesman: Mesmari (article 000) and Mismari (article 003)
        ["Brigadier General Ahmed al-Mesmari", "Ahmed al-Mismari", "Mismari"],
        # LNA chief of staff: Nadoori (000) and Nadhouri (004)
        ["Abdul Razek al-Nadoori", "Gen. Abdelrazzak al-Nadhouri", "General Nadhouri"],
        # Bunyan al-Marsous spokesman: Ghassari and Ghosri, and the bare "Ghosri said"
        ["Brig. Gen. Mohammed al-Ghassari", "Brigadier Mohammed al-Ghosri", "Ghosri"],
        # the former leader: Gaddafi (003) and Gadhafi (004)
        ["Moammar al-Gaddafi", "Moammar Gadhafi"],
        ["Khalifa Haftar", "Gen. Khalifa Haftar", "Haftar"],
        ["Fayez al-Sarraj", "Sarraj"],
        ["Ali al-Sistani", "Sistani"],
        ["Muqtada al-Sadr", "Al-Sadr", "al-Sadr", "Sadr"],
        ["Hisham al-Hashimi", "al-Hashimi", "Al-Hashimi"],
        ["Gen. Mohammad al-Haddad", "General Haddad"],
        ["Prime Minister Mustafa al-Kadhimi", "Kadhimi"],
        ["Omar Ghaith", "Ghaith"],
        ["Judge Faiq Zidan", "Zidan"],
        ["Hussein Moanes", "Moanes"],
    ],
)
def test_one_person_is_one_entity(entity: dict[str, str], group: list[str]) -> None:
    assert len({entity[name] for name in group}) == 1


def test_different_people_stay_apart(entity: dict[str, str]) -> None:
    people = [
        "Brigadier General Ahmed al-Mesmari",
        "Brig. Gen. Mohammed al-Ghassari",
        "Abdul Razek al-Nadoori",
        "Major General Abdel Rahman al-Taweel",
        "Omar Ghaith",
        "Ali al-Sistani",
        "Ali Khamenei",
        "Muqtada al-Sadr",
        "Prime Minister Mohammed Shia al-Sudani",
        "Khalifa Haftar",
        "Fayez al-Sarraj",
        "Moammar al-Gaddafi",
        "Hisham al-Hashimi",
        "Ahmed Hamdawi Owaid",
        "Hussein Moanes",
        "Prime Minister Mustafa al-Kadhimi",
        "Gen. Mohammad al-Haddad",
        "AHMAD AL-RUBAYE",
        "Stephanie Williams",
        "Frank Baker",
        "President Donald Trump",
    ]
    assert len({entity[name] for name in people}) == len(people)


def test_canonical_names_drop_titles() -> None:
    rows = resolve(["Brigadier General Ahmed al-Mesmari", "Ahmed al-Mismari", "Mismari"])
    assert {r.canonical for r in rows} == {"Ahmed al-Mesmari"}


def test_seed_names_come_from_the_articles() -> None:
    text = " ".join(p.read_text(encoding="utf-8") for p in NAMES.parent.glob("*.txt")
                    if p.name != "names.txt")
    for name in NAMES.read_text(encoding="utf-8").splitlines():
        assert name in text, name
