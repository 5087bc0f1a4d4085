"""The mock runner can run the program any number of times in one process."""

from __future__ import annotations

import pickle

from components.preview.mock_run import run_program


def test_a_run_leaves_the_pickler_as_it_found_it() -> None:
    """pulumi.dynamic patches pickle._Pickler once per dynamic resource and never undoes it; without
    the restore in run_program, the nesting grew with every run until RecursionError (seen after
    three prod runs once the Kibana objects were added)."""
    before = (pickle._Pickler._batch_setitems, pickle._Pickler.save_dict)
    run = run_program("dev")
    assert any(r.type.startswith("pulumi-python:dynamic") for r in run.resources), "the case needs dynamic resources"
    assert (pickle._Pickler._batch_setitems, pickle._Pickler.save_dict) == before
