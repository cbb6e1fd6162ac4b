"""数据导入 page: absent without a login file; after logging in, an upload is previewed and imported."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.present.staff.auth import authenticate, load_users, save_user
from tests.accounts import sign_in

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")


@pytest.fixture
def auth_file(tmp_path, monkeypatch):
    path = tmp_path / "auth" / "users.toml"
    save_user(path, "zhang", "数据员小张", "correct horse")
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(path))
    return path


def test_passwords_are_stored_as_bcrypt_hashes(auth_file):
    text = auth_file.read_text(encoding="utf-8")
    assert "correct horse" not in text and "$2b$" in text
    users = load_users(auth_file)
    assert authenticate(users, "zhang", "correct horse").display_name == "数据员小张"
    assert authenticate(users, "zhang", "wrong") is None
    assert authenticate(users, "nobody", "correct horse") is None


def test_import_page_is_absent_without_login_configuration(monkeypatch, fixture_store):
    monkeypatch.delenv("SOCIALWORK_AUTH_FILE", raising=False)
    monkeypatch.setenv("SOCIALWORK_DATA", str(fixture_store))  # a county's store (the demo has its own accounts)
    for page in ("pages/data_import.py", "pages/reporting.py"):
        at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
        at.switch_page(page).run()  # not in the navigation: the default page answers
        assert at.title[0].value.endswith(" · 总览")
        assert not at.get("file_uploader")


def test_after_login_the_upload_is_offered(auth_file, tmp_path, fixture_store, monkeypatch):
    # AppTest does not deliver form submissions here; the login form itself is driven in tests/browser.
    monkeypatch.setenv("SOCIALWORK_DATA", str(fixture_store))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    sign_in(at, monkeypatch, tmp_path, load_users()["zhang"], "reviewer")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已登录：数据员小张" in c.value for c in at.caption)
    assert at.get("file_uploader") and at.get("download_button")


def test_auth_file_edge_cases(tmp_path):
    from socialwork.present.staff.auth import AuthError

    path = tmp_path / "users.toml"
    save_user(path, "li", 'Li "the" 数据员\\', "long enough")
    assert load_users(path)["li"].display_name == 'Li "the" 数据员\\'
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(AuthError, match="用户名只能包含"):
        save_user(path, "wang.li", "x", "long enough")
    with pytest.raises(AuthError, match="密码过长"):
        save_user(path, "wang", "x", "很" * 30)
    broken = tmp_path / "broken.toml"
    broken.write_text('[users.zhao]\npassword_hash = "not a bcrypt hash"\n', encoding="utf-8")
    assert authenticate(load_users(broken), "zhao", "anything") is None
    (tmp_path / "odd.toml").write_text("users = 5\n", encoding="utf-8")
    with pytest.raises(AuthError, match="格式错误"):
        load_users(tmp_path / "odd.toml")


def test_too_many_failed_logins_lock_the_username(auth_file, monkeypatch, tmp_path):
    from socialwork.present.staff import auth

    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'server.sqlite'}")
    users = load_users(auth_file)
    for _ in range(auth.LOCKOUT_AFTER):
        assert auth.login(users, "zhang", "wrong") is None
    with pytest.raises(auth.AuthError, match="登录失败次数过多"):
        auth.login(users, "zhang", "correct horse")
    monkeypatch.setattr(auth, "LOCKOUT_SECONDS", 0)
    assert auth.login(users, "zhang", "correct horse").username == "zhang"


def test_a_store_of_many_counties_asks_which_county_before_the_upload(auth_file, tmp_path, monkeypatch):
    from tests.fixture_city import COUNTY_B, write_city_store

    city = write_city_store(tmp_path / "city")
    monkeypatch.setenv("SOCIALWORK_DATA", str(city))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    sign_in(at, monkeypatch, tmp_path, load_users()["zhang"], "reviewer")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="import_county")
    assert picker.label == "导入哪个县（市、区）的数据" and picker.options == ["甲县", "乙县"]
    assert not at.get("file_uploader") and "按县分别导入" in at.info[0].value
    picker.select(COUNTY_B).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("file_uploader")
    assert any(f"county={COUNTY_B}" in m.value and "乙县" in m.value for m in at.markdown)
