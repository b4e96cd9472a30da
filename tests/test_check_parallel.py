"""The rules side by side (a national roster) give the findings one after another gives,
and a progress callback that raises (a cancelled job) stops the check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from orgmodel import check as checking
from orgmodel.dev import synth
from orgmodel.input import normalize, readers
from orgmodel.rules.pack import load_pack

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("synthetic")
    synth.write_synthetic(folder, 300, 7)
    loaded, _ = normalize.load(readers.read_roster(folder))
    return loaded


def test_rules_side_by_side_give_the_same_findings(roster, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = load_pack("nantong")
    alone = checking.run_rules(roster, pack, AS_OF)
    threads: set[str] = set()
    evaluate = checking.KINDS["body_size"].evaluate

    def spy(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(checking, "PARALLEL_FROM", 0)
    monkeypatch.setitem(checking.KINDS, "body_size", dataclasses.replace(checking.KINDS["body_size"], evaluate=spy))
    together = checking.run_rules(roster, pack, AS_OF)
    assert threads and threading.main_thread().name not in threads  # the rules did run in the pool
    assert together.equals(alone)
    assert alone.height > 0


@pytest.mark.parametrize("parallel_from", [0, 10**9])
def test_a_progress_that_raises_stops_the_check(roster, monkeypatch: pytest.MonkeyPatch, parallel_from: int) -> None:
    monkeypatch.setattr(checking, "PARALLEL_FROM", parallel_from)
    seen: list[int] = []

    def progress(what: str, done: int, total: int) -> None:
        seen.append(done)
        if done == 3:
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        checking.run_rules(roster, load_pack("nantong"), AS_OF, progress=progress)
    assert seen == [0, 1, 2, 3]
