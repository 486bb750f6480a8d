"""The reference docs stay true: docs/api.md runs as a doctest, and every public name and
every command-line option is documented."""

from __future__ import annotations

import argparse
import doctest
from pathlib import Path

import namematch
from namematch.cli import build_parser

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_api_md_examples_run() -> None:
    result = doctest.testfile(str(DOCS / "api.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


def test_every_public_name_is_in_api_md() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [name for name in namematch.__all__ if f"`{name}" not in text]
    assert missing == []


def test_every_option_and_command_is_in_cli_md() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for command, sub in commands.choices.items():
        if f"namematch {command}" not in text:
            missing.append(command)
        for action in sub._actions:
            missing += [f"{command} {flag}" for flag in action.option_strings
                        if flag != "-h" and f"`{flag}" not in text]
    assert missing == []
