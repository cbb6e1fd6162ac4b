"""Data-staff login: the lockout holds under concurrent attempts and across processes (replicas), on both server
databases, and add-user refuses weak passwords."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from socialwork import cli
from socialwork.data.server import serverdb
from socialwork.data.server.lockouts import LoginAttempts
from socialwork.data.server.serverdb import LOGIN_FAILURES
from socialwork.present.staff import auth
from socialwork.present.staff.auth import AuthError, User, load_users, save_user

USERS = {"zhang": User("zhang", "数据员小张", "$2b$12$not.checked.by.the.fake.bcrypt")}
RIGHT = "Lantern-river-42"


@pytest.fixture
def bcrypt_checks(monkeypatch, server_db) -> list[str]:
    """bcrypt.checkpw replaced by a slow fake (as slow as a real check is, relatively) that records each check."""
    checks: list[str] = []

    def checkpw(secret: bytes, _hashed: bytes) -> bool:
        checks.append(secret.decode())
        time.sleep(0.05)
        return secret.decode() == RIGHT

    monkeypatch.setattr(auth.bcrypt, "checkpw", checkpw)
    monkeypatch.setenv("SOCIALWORK_DB", server_db)  # failed logins counted there, SQLite or PostgreSQL
    return checks


def attempt_together(passwords: list[str]) -> list[str]:
    """Log in with every password at the same moment, one thread each: "ok", "wrong" or "locked" per attempt."""
    start, outcomes = threading.Barrier(len(passwords)), []

    def attempt(password: str) -> None:
        start.wait()
        try:
            outcomes.append("ok" if auth.login(USERS, "zhang", password) else "wrong")
        except AuthError as err:
            assert str(err).startswith("登录失败次数过多，请 ") and str(err).endswith(" 秒后再试")
            outcomes.append("locked")
        except Exception as err:  # a thread's error would otherwise be a warning, and its outcome just missing
            outcomes.append(f"error: {err!r}")

    threads = [threading.Thread(target=attempt, args=(p,)) for p in passwords]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    return sorted(outcomes)


def test_twenty_wrong_passwords_at_once_get_only_lockout_after_checks(bcrypt_checks):
    outcomes = attempt_together([f"guess-{n:02d}-long" for n in range(20)])
    assert len(bcrypt_checks) == auth.LOCKOUT_AFTER == 5
    assert outcomes == ["locked"] * 15 + ["wrong"] * 5
    assert auth.locked_for("zhang") > 0


def test_the_right_password_during_a_lockout_is_refused_unchecked(bcrypt_checks, monkeypatch):
    attempt_together([f"guess-{n:02d}-long" for n in range(20)])
    with pytest.raises(AuthError, match="登录失败次数过多"):
        auth.login(USERS, "zhang", RIGHT)
    assert len(bcrypt_checks) == 5
    monkeypatch.setattr(auth, "LOCKOUT_SECONDS", 0)  # the lockout is over: the right password gets in
    assert auth.login(USERS, "zhang", RIGHT).username == "zhang"
    assert auth.locked_for("zhang") == 0


def test_a_right_password_among_wrong_ones_at_once_is_checked_once_at_most(bcrypt_checks):
    outcomes = attempt_together([RIGHT] + [f"guess-{n:02d}-long" for n in range(19)])
    assert outcomes.count("ok") == bcrypt_checks.count(RIGHT) <= 1
    # A success starts a new count (as it must for the user): LOCKOUT_AFTER attempts reach bcrypt up to and with
    # it, LOCKOUT_AFTER more after it at most (with the in-memory count of one process they came too late for that).
    assert bcrypt_checks.index(RIGHT) < auth.LOCKOUT_AFTER if RIGHT in bcrypt_checks else True
    assert len(bcrypt_checks) <= 2 * auth.LOCKOUT_AFTER
    assert outcomes.count("locked") >= 20 - 2 * auth.LOCKOUT_AFTER


def test_an_attempt_waiting_for_the_count_that_a_right_password_clears_starts_a_new_count(server_db):
    """A right password clears the username's count while another attempt waits for its row (PostgreSQL: FOR
    UPDATE, which then finds the row gone): the waiting attempt counts as the first of a new count, not an error."""
    attempts = LoginAttempts(server_db)
    attempts.reserve("zhang")
    reserved: list[object] = []
    waiting = threading.Thread(target=lambda: reserved.append(_reserved(attempts)))
    with serverdb.transaction(server_db, writing=True, clock=datetime.now) as con:  # a login holding the row
        held = sa.select(LOGIN_FAILURES).where(LOGIN_FAILURES.c.username == "zhang")
        assert con.execute(held if serverdb.is_sqlite(con) else held.with_for_update()).one().failures == 1
        waiting.start()
        time.sleep(0.3)  # the other attempt reaches the row and waits (SQLite: for the file's write lock)
        con.execute(LOGIN_FAILURES.delete().where(LOGIN_FAILURES.c.username == "zhang"))  # the right password's clear
    waiting.join(timeout=30)
    assert reserved == ["reserved"]
    with serverdb.transaction(server_db, writing=False, clock=datetime.now) as con:
        assert con.execute(sa.select(LOGIN_FAILURES.c.failures)).scalars().all() == [1]


def _reserved(attempts: LoginAttempts) -> object:
    try:
        attempts.reserve("zhang")
    except Exception as err:  # the error is the test's answer
        return err
    return "reserved"


def _five_wrong_logins(url: str) -> None:
    """Another server process (a replica behind the load balancer): five wrong passwords, real bcrypt."""
    import os

    os.environ["SOCIALWORK_DB"] = url
    users = {"zhang": User("zhang", "数据员小张", auth.hash_password(RIGHT))}
    assert [auth.login(users, "zhang", f"guess-{n:02d}-long") for n in range(5)] == [None] * 5


def test_five_wrong_passwords_in_another_process_lock_this_one_too(server_db, monkeypatch):
    worker = multiprocessing.get_context("spawn").Process(target=_five_wrong_logins, args=(server_db,))
    worker.start()
    worker.join(timeout=120)
    assert worker.exitcode == 0
    monkeypatch.setenv("SOCIALWORK_DB", server_db)
    users = {"zhang": User("zhang", "数据员小张", auth.hash_password(RIGHT))}
    assert auth.locked_for("zhang") > 0
    with pytest.raises(AuthError, match="登录失败次数过多"):
        auth.login(users, "zhang", RIGHT)
    assert auth.locked_for("li") == 0


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-9ch", "密码太短：至少需要 10 个字符"),
        ("很长的中文密码九个字", None),
        ("aaaaaaaaaaaa", "密码不能由同一个字符重复组成"),
        ("wang-li_2024", "密码不能与用户名相同"),
        ("WANG-LI_2024", "密码不能与用户名相同"),
        ("Password123", "密码过于常见，容易被猜中，请换一个"),
        ("1234567890", "密码过于常见，容易被猜中，请换一个"),
        ("woaini1314", "密码过于常见，容易被猜中，请换一个"),
        ("Lantern-river-42", None),
    ],
)
def test_weak_passwords_are_refused_in_chinese(tmp_path, password, problem):
    path = tmp_path / "users.toml"
    assert auth.password_problem("wang-li_2024", password) == problem
    if problem is None:
        save_user(path, "wang-li_2024", "小王", password)
        assert auth.authenticate(load_users(path), "wang-li_2024", password).display_name == "小王"
    else:
        with pytest.raises(AuthError, match=f"^{problem}$"):
            save_user(path, "wang-li_2024", "小王", password)
        assert not path.exists()


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        (["12345678"], 2, "错误：密码太短：至少需要 10 个字符\n"),
        (["qwertyuiop"], 2, "错误：密码过于常见，容易被猜中，请换一个\n"),
        (["zhang-data"], 2, "错误：密码不能与用户名相同\n"),
        (["Lantern-river-42", "Lantern-river-43"], 2, "错误：两次输入的密码不一致\n"),
        (["Lantern-river-42", "Lantern-river-42"], 0, ""),
    ],
)
def test_add_user_refuses_a_weak_password(tmp_path, monkeypatch, capsys, typed, code, message):
    answers = iter(typed)
    monkeypatch.setattr("getpass.getpass", lambda _prompt: next(answers))
    path = tmp_path / "users.toml"
    assert cli.main(["add-user", "zhang-data", "--display-name", "数据员", "--auth-file", str(path)]) == code
    assert capsys.readouterr().err == message
    assert path.exists() == (code == 0)
    assert next(answers, None) is None  # a weak password is refused before it is asked for again


def test_the_auth_file_is_the_owners_alone_unless_a_service_group_may_read_it(tmp_path):
    """add-user --group: the service user reads the file through its group while only root writes it (issue 34,
    part 4); a later add-user without --group keeps that, rather than locking the service out."""
    import grp
    import os
    import stat

    own = tmp_path / "own.toml"
    save_user(own, "zhang", "数据员小张", "correct horse")
    assert stat.S_IMODE(own.stat().st_mode) == 0o600

    shared = tmp_path / "shared.toml"
    group = grp.getgrgid(os.getgid()).gr_name
    save_user(shared, "zhang", "数据员小张", "correct horse", group=group)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640 and shared.stat().st_gid == os.getgid()
    save_user(shared, "li", "数据员小李", "long enough", group=None)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640 and shared.stat().st_gid == os.getgid()
    assert set(load_users(shared)) == {"zhang", "li"}

    with pytest.raises(AuthError, match="用户组 no-such-group 不存在"):
        save_user(tmp_path / "other.toml", "zhang", "数据员小张", "correct horse", group="no-such-group")
    assert not (tmp_path / "other.toml").exists()
