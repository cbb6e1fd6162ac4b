"""Reads run side by side (parallel.together), and one query asked twice at once runs once (db.run)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from socialwork.figures import db, parallel

WAIT_S = 10  # a bound on waits that only a broken implementation reaches


def test_results_come_back_in_the_order_the_reads_were_given():
    def slow(value, seconds):
        time.sleep(seconds)
        return value

    assert parallel.together(lambda: slow("a", 0.05), lambda: slow("b", 0), lambda: slow("c", 0.02)) == ["a", "b", "c"]


def test_reads_overlap_in_time():
    # Each read waits until the other has started: one after the other, the barrier would break.
    barrier = threading.Barrier(2, timeout=WAIT_S)
    assert parallel.together(barrier.wait, barrier.wait) in ([0, 1], [1, 0])


def test_each_read_knows_its_batch_and_position_and_the_caller_knows_none():
    first, second = parallel.together(parallel.current_task, parallel.current_task)
    assert first[0] == second[0] and (first[1], second[1]) == (0, 1)
    assert parallel.current_task() is None
    later = parallel.together(parallel.current_task, parallel.current_task)
    assert later[0][0] > first[0]


def test_a_read_that_asks_for_reads_runs_them_itself_and_never_waits_on_the_pool():
    def outer():
        return parallel.together(parallel.current_task, parallel.current_task)

    # More nested batches than the pool has workers: waiting on the pool from inside it would deadlock.
    results = parallel.together(*[outer] * (parallel.WORKERS + 2))
    for i, (first, second) in enumerate(results):
        assert first == second and first[1] == i


def test_a_failing_read_raises_its_error_once_every_read_has_finished():
    finished = threading.Event()

    def fails():
        raise ValueError("坏的读取")

    def slow():
        time.sleep(0.1)
        finished.set()

    with pytest.raises(ValueError, match="坏的读取"):
        parallel.together(fails, slow)
    assert finished.is_set()


def test_one_read_runs_in_the_callers_thread():
    assert parallel.together(threading.get_ident) == [threading.get_ident()]


def test_the_same_query_asked_twice_at_once_runs_once(fixture_store, monkeypatch):
    db.clear_cache()
    started, release = threading.Event(), threading.Event()
    runs = []
    real_execute = db.execute

    def slow_execute(name, root, params):
        runs.append(name)
        started.set()
        assert release.wait(WAIT_S)
        return real_execute(name, root, params)

    monkeypatch.setattr(db, "execute", slow_execute)
    ask = lambda: db.run("kpi/targets_for_year", data=fixture_store, snapshot_date=date(2024, 11, 30), plan_year=2024)  # noqa: E731
    answers = []
    first = threading.Thread(target=lambda: answers.append(ask()))
    first.start()
    assert started.wait(WAIT_S)
    second = threading.Thread(target=lambda: answers.append(ask()))
    second.start()
    time.sleep(0.1)  # the second asker is waiting on the first one's answer, not running the query
    release.set()
    first.join(WAIT_S)
    second.join(WAIT_S)
    assert runs == ["kpi/targets_for_year"]
    assert len(answers) == 2 and answers[0].equals(answers[1]) and len(answers[0]) > 0
    answers[0].iloc[0, 0] = "changed"  # each asker has its own copy
    assert not answers[0].equals(answers[1])


def test_a_failed_query_fails_every_asker_and_is_not_kept(fixture_store, monkeypatch):
    db.clear_cache()
    calls = []

    def failing_execute(name, root, params):
        calls.append(name)
        raise db.QueryError("查询失败")

    monkeypatch.setattr(db, "execute", failing_execute)
    for _ in range(2):
        with pytest.raises(db.QueryError, match="查询失败"):
            db.run("kpi/targets_for_year", data=fixture_store, snapshot_date=date(2024, 11, 30), plan_year=2024)
    assert calls == ["kpi/targets_for_year"] * 2  # nothing cached, nothing left running
