"""The role model: who may do what (the contract's table through access.can), every write path refusing the wrong
role when called directly, roles and their changes, and the audit log (never a person's data)."""

from __future__ import annotations

from datetime import date

import pytest

from socialwork import cli
from socialwork.county_setup import example_frames
from socialwork.data.contract.access_tables import ADMIN, COMMAND_LINE, PERMISSIONS, REPORTER, REVIEWER, ROLE, VIEWER
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.server.access import AccessDenied, Account, RoleError, Roles, can, require
from socialwork.data.server.audit import HIDDEN, AuditLog
from socialwork.data.server.followups import FollowupError
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.storage import identity
from socialwork.data.storage.store import snapshot_dates
from socialwork.present.staff import auth, uploads
from socialwork.present.staff.auth import User, save_user

T1, T2 = "530524001", "530524002"
VIEWING = Account("kan", "查看员", VIEWER)
CLERK = Account("tian", "填报员小田", REPORTER, T1)
REVIEWING = Account("shen", "审核员小沈", REVIEWER)
ADMINISTERING = Account("guan", "管理员小关", ADMIN)
EVERY_ACCOUNT = (VIEWING, CLERK, REVIEWING, ADMINISTERING)

# Who may do what, written out by hand: the contract's table must say the same.
EXPECTED = {
    "view": {VIEWER, REPORTER, REVIEWER, ADMIN},
    "export": {VIEWER, REPORTER, REVIEWER, ADMIN},
    "import": {REVIEWER, ADMIN},
    "followup_write": {REVIEWER, ADMIN},
    "part_read": {REPORTER, REVIEWER, ADMIN},
    "part_write": {REPORTER, ADMIN},
    "part_review": {REVIEWER, ADMIN},
    "audit_read": {ADMIN},
    "manage_roles": {ADMIN},
}


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'server.sqlite'}"


@pytest.mark.parametrize("action", sorted(PERMISSIONS))
@pytest.mark.parametrize("account", EVERY_ACCOUNT, ids=lambda a: a.role)
def test_each_role_may_take_exactly_its_actions(account, action):
    unit = account.unit_code if account.role == REPORTER else None  # a 填报员 acting for its own unit
    assert can(account, action, unit) == (account.role in EXPECTED[action])
    assert not can(None, action, unit), "no login, no action"


@pytest.mark.parametrize("action", ["part_read", "part_write"])
def test_a_clerk_acts_for_its_own_unit_only(action):
    assert can(CLERK, action, T1)
    assert not can(CLERK, action, T2), "another township's part"
    assert not can(CLERK, action, None), "no unit named is no unit of its own"
    assert not can(Account("tian", "填报员小田", REPORTER, None), action, None), "a clerk without a unit"
    with pytest.raises(AccessDenied, match=f"只能为本单位.*不能为单位 {T2}"):
        require(CLERK, action, T2)
    assert can(ADMINISTERING, action, T2), "the county's roles act for every unit"


def test_a_refusal_names_the_account_its_role_and_the_roles_that_may():
    with pytest.raises(AccessDenied) as refused:
        require(VIEWING, "import")
    assert str(refused.value) == "账号 kan 的角色是查看者，不能导入全县月度数据（需要审核员、管理员角色）"
    with pytest.raises(AccessDenied, match="需要先登录"):
        require(None, "followup_write")
    with pytest.raises(KeyError):
        can(ADMINISTERING, "no such action")  # a misspelt action is an error, never a silent yes


@pytest.mark.parametrize("account", [None, VIEWING, CLERK])
def test_follow_up_writes_refuse_a_role_that_may_not_write(url, account):
    store = SqlFollowups(url)
    meeting = store.add_meeting(date(2026, 11, 5), "推进会", date(2026, 10, 31), REVIEWING)
    item = store.add_item(meeting.meeting_id, "补齐社区社工", "certified_per_urban_community", T1, "城关街道",
                          date(2026, 12, 31), REVIEWING)  # fmt: skip
    for write in (
        lambda: store.add_meeting(date(2026, 11, 6), "调度会", date(2026, 10, 31), account),
        lambda: store.add_item(
            meeting.meeting_id,
            "再建一项",
            "certified_per_urban_community",
            None,
            "县民政局",
            date(2026, 12, 31),
            account,
        ),
        lambda: store.update_item(item, {"status": "done"}, account),
        lambda: store.add_note(item.item_id, date(2026, 11, 20), "已开展培训", account),
    ):
        with pytest.raises(FollowupError, match=r"不能记录会议和督办事项|需要先登录"):
            write()
    assert len(store.meetings()) == 1 and store.items() == [item] and store.notes() == []


def test_an_import_confirmed_by_a_role_that_may_not_import_writes_nothing(tmp_path, monkeypatch):
    store, day = tmp_path / "store", date(2025, 12, 31)
    identity.write(store, identity.new_county("云溪县", "530524"))
    monkeypatch.setenv("SOCIALWORK_DATA", str(store))
    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'server.sqlite'}")
    workbook = workbook_bytes(example_frames(day, "530524"), "云溪县")
    checked, problems = uploads.preview([("2025-12.xlsx", workbook)], day, store)
    assert checked is not None, problems
    for account in (None, VIEWING, CLERK):
        result, problems = uploads.confirm(checked, store, False, account)
        assert (
            result is None
            and len(problems) == 1
            and ("不能导入全县月度数据" in problems[0] or "需要先登录" in problems[0])
        )
    assert snapshot_dates(store) == []
    log = auth.audit_log().entries()
    assert [(e["username"], e["action"]) for e in log] == [
        ("tian", "denied"),
        ("kan", "denied"),
        ("（未登录）", "denied"),
    ]
    result, problems = uploads.confirm(checked, store, False, REVIEWING)
    assert problems == [] and result.as_of == day and snapshot_dates(store) == [day]
    newest = auth.audit_log().entries(limit=1)[0]
    assert (newest["username"], newest["action"], newest["object"]) == ("shen", "import", "2025-12-31 快照（store）")


def test_roles_are_set_checked_and_logged_with_the_change(url):
    roles = Roles(url)
    assert roles.role_of("tian") == (VIEWER, None), "a login without a role is a viewer"
    assert roles.set_role("tian", "填报员", T1, COMMAND_LINE) == f"tian：查看者（未设角色） → 填报员（单位 {T1}）"
    assert roles.account("tian", "填报员小田") == CLERK
    assert roles.set_role("tian", "reviewer", None, ADMINISTERING) == f"tian：填报员（单位 {T1}） → 审核员"
    with pytest.raises(RoleError, match="必须指定所属单位"):
        roles.set_role("tian", REPORTER, None, COMMAND_LINE)
    with pytest.raises(RoleError, match="面向全县"):
        roles.set_role("tian", ADMIN, T1, COMMAND_LINE)
    with pytest.raises(RoleError, match="没有角色“站长”"):
        roles.set_role("tian", "站长", None, COMMAND_LINE)
    with pytest.raises(AccessDenied, match="不能修改账号角色"):
        roles.set_role("kan", ADMIN, None, REVIEWING)  # a reviewer cannot make anyone an admin, itself included
    assert roles.role_of("kan") == (VIEWER, None)
    log = AuditLog(url).entries()
    assert [(e["username"], e["action"]) for e in log] == [("guan", "role_change"), (COMMAND_LINE, "role_change")]


def test_the_audit_log_never_keeps_what_looks_like_a_person(url):
    AuditLog(url).record("zhang", "export", "名单_110101199003071234.csv")
    AuditLog(url).record("zhang", "export", "13812345678")
    assert [e["object"] for e in AuditLog(url).entries()] == [HIDDEN, HIDDEN]
    with pytest.raises(ValueError):
        AuditLog(url).record("zhang", "deleted everything")


def test_logins_and_failed_logins_are_logged_without_the_typed_name_of_no_account(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'server.sqlite'}")
    monkeypatch.setattr(auth.bcrypt, "checkpw", lambda secret, _hash: secret == b"Lantern-river-42")
    users = {"zhang": User("zhang", "数据员小张", "$2b$12$fake")}
    Roles(auth.server_url()).set_role("zhang", REVIEWER, None, COMMAND_LINE)
    assert auth.login(users, "zhang", "wrong-password") is None
    assert auth.login(users, "110101199003071234", "Lantern-river-42") is None
    assert auth.login(users, "zhang", "Lantern-river-42") == Account("zhang", "数据员小张", REVIEWER)
    entries = [(e["username"], e["action"], e["object"]) for e in auth.audit_log().entries()][:3]
    assert entries == [
        ("zhang", "login", "审核员"),
        ("（不存在的用户名）", "login_failed", "用户名或密码不正确"),
        ("zhang", "login_failed", "用户名或密码不正确"),
    ]


def test_add_user_with_a_role_and_set_role_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'server.sqlite'}")
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(tmp_path / "users.toml"))
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": "Lantern-river-42")
    assert cli.main(["add-user", "tian", "--display-name", "填报员小田", "--role", "填报员", "--unit", T1]) == 0
    assert f"角色：填报员（单位 {T1}）" in capsys.readouterr().out
    assert cli.main(["add-user", "guan", "--role", "管理员", "--unit", T1]) == 2
    assert "面向全县" in capsys.readouterr().err and "guan" not in auth.load_users(), "nothing half done"
    assert cli.main(["add-user", "kan"]) == 0 and "角色：查看者" in capsys.readouterr().out
    assert cli.main(["set-role", "tian", "审核员"]) == 0
    assert "tian：填报员（单位 530524001） → 审核员" in capsys.readouterr().out
    assert cli.main(["set-role", "nobody", "审核员"]) == 2 and "没有用户“nobody”" in capsys.readouterr().err
    assert cli.main(["add-user", "tian"]) == 0 and "角色：审核员" in capsys.readouterr().out, "a new password only"
    assert cli.main(["roles"]) == 0
    assert capsys.readouterr().out.splitlines() == ["kan\tkan\t查看者\t", "tian\t填报员小田\t审核员\t"]
    actions = [(e["username"].startswith(COMMAND_LINE), e["action"]) for e in auth.audit_log().entries()]
    assert actions == [(True, "role_change")] * 2


def test_every_role_has_a_chinese_label_and_the_users_file_keeps_no_role(tmp_path):
    assert set(ROLE.labels.values()) == {"查看者", "填报员", "审核员", "管理员"}
    save_user(tmp_path / "users.toml", "zhang", "数据员小张", "Lantern-river-42")
    assert "role" not in (tmp_path / "users.toml").read_text(encoding="utf-8")


def test_an_import_on_the_command_line_is_logged_as_the_command_line(tmp_path, monkeypatch, capsys):
    store, day = tmp_path / "store", date(2025, 12, 31)
    identity.write(store, identity.new_county("云溪县", "530524"))
    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'server.sqlite'}")
    workbook = tmp_path / "2025-12.xlsx"
    workbook.write_bytes(workbook_bytes(example_frames(day, "530524"), "云溪县"))
    assert cli.main(["import", str(workbook), "--as-of", day.isoformat(), "--data", str(store)]) == 0, (
        capsys.readouterr()
    )
    (entry,) = AuditLog(f"sqlite:///{tmp_path / 'server.sqlite'}").entries()
    assert entry["username"].startswith(COMMAND_LINE) and (entry["action"], entry["object"]) == (
        "import",
        "2025-12-31 快照",
    )
