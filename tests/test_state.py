"""Each call owns its state: threads resolve at once, and no module keeps a run's data.

The same probes run in the installed compiled wheel (``tests/test_wheel.py``).
"""

from __future__ import annotations

from state_probe import state_left_by_resolve, threads_agree


def test_threads_resolving_at_once_each_get_what_a_lone_call_gives() -> None:
    assert threads_agree(8) == []


def test_resolve_leaves_no_run_data_in_module_state() -> None:
    assert state_left_by_resolve() == {}
