"""Run as a service (issue 34, part 4): the systemd units in deploy/systemd/ run commands the CLI has, share one
environment file that names only settings the code reads, restart on failure, and pass `systemd-analyze verify`
where the machine has it."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from socialwork.cli import _parser
from socialwork.data import settings

UNITS = settings.REPO_ROOT / "deploy" / "systemd"
INSTALLED_AT = "/opt/socialwork"  # where the units expect the repository copy and its .venv
PYTHON_MODULE = f"{INSTALLED_AT}/.venv/bin/python -m socialwork"
ENV_FILE = "/etc/socialwork/socialwork.env"
SERVICES = sorted(UNITS.glob("*.service"))
LONG_RUNNING = ["socialwork.service", "socialwork-replicas.service"]
SETTING = re.compile(r"^#?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def unit(path: Path) -> configparser.ConfigParser:
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.optionxform = str  # systemd's keys are case-sensitive
    parsed.read_string(path.read_text(encoding="utf-8"))
    return parsed


def test_the_units_are_there():
    names = {path.name for path in UNITS.iterdir()}
    assert {*LONG_RUNNING, "socialwork-backup.service", "socialwork-backup.timer", "socialwork.env"} <= names


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_each_service_runs_a_command_of_the_cli_as_the_service_user(path):
    service = unit(path)["Service"]
    command = service["ExecStart"]
    assert command.startswith(f"{PYTHON_MODULE} ")
    args = shlex.split(command.removeprefix(PYTHON_MODULE))
    parsed = _parser().parse_args(args)  # an unknown command or option exits here
    assert parsed.command == args[0]
    assert service["User"] == service["Group"] == "socialwork"
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["WorkingDirectory"] == INSTALLED_AT


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_the_servers_restart_on_failure_and_log_to_the_journal(name):
    service = unit(UNITS / name)["Service"]
    assert service["Restart"] == "on-failure"
    assert "StandardOutput" not in service or service["StandardOutput"] == "journal"
    assert unit(UNITS / name)["Install"]["WantedBy"] == "multi-user.target"


def test_the_timer_starts_the_backup_daily_into_dated_archives_keeping_some():
    timer = unit(UNITS / "socialwork-backup.timer")
    assert "Unit" not in timer["Timer"]  # so it starts the service of its own name
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ") and timer["Timer"]["Persistent"] == "true"
    backup = unit(UNITS / "socialwork-backup.service")["Service"]
    assert backup["Type"] == "oneshot"
    args = _parser().parse_args(shlex.split(backup["ExecStart"].removeprefix(PYTHON_MODULE)))
    assert args.into is not None and args.keep >= 1


def product_sources() -> str:
    package = settings.REPO_ROOT / "socialwork"
    tooling = {package / "bench", package / "cluster"}
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in package.rglob("*.py")
        if not any(folder in path.parents for folder in tooling)
    )


def test_the_environment_file_names_only_settings_the_code_reads():
    named = SETTING.findall((UNITS / "socialwork.env").read_text(encoding="utf-8"))
    assert {"SOCIALWORK_DATA", "SOCIALWORK_AUTH_FILE", "SOCIALWORK_DB"} <= set(named)
    sources = product_sources()
    assert [name for name in named if f'"{name}"' not in sources] == []


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """Checked as installed, with the repository standing in for /opt/socialwork (verify looks for the program)."""
    for path in UNITS.iterdir():
        if path.suffix in {".service", ".timer"}:
            text = path.read_text(encoding="utf-8").replace(INSTALLED_AT, str(settings.REPO_ROOT))
            (tmp_path / path.name).write_text(text, encoding="utf-8")
    names = sorted(p.name for p in tmp_path.iterdir())
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *names], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "socialwork" in line]
    assert (done.returncode, ours) == (0, [])


@pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("openssl")), reason="nginx or openssl not installed")
def test_the_https_proxy_configuration_passes_nginx_t(tmp_path):
    """deploy/nginx/socialwork.conf as nginx reads it, with a self-signed certificate standing in for the county's."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    site = (settings.REPO_ROOT / "deploy" / "nginx" / "socialwork.conf").read_text(encoding="utf-8")
    (tmp_path / "site.conf").write_text(site.replace("/etc/ssl/socialwork", str(tmp_path)), encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
