"""HTTPS at HAProxy (`replicas --cert FILE --key FILE`), with a self-signed certificate made by openssl for
127.0.0.1: plain HTTP is redirected to HTTPS (the health check excepted), HTTPS answers carry HSTS, a page runs over
the secure websocket, and Streamlit's XSRF check still refuses an upload without its token or with a forged one
behind the proxy. Marker `servers`."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess

import pytest
import requests
import websockets

from socialwork.cluster import haproxy, load, replicas
from socialwork.cluster.serving import free_port
from socialwork.data import settings
from tests.servers.session import XSRF_COOKIE

pytestmark = [
    pytest.mark.servers,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test's certificate"),
]
NO_SESSION = "00000000-0000-0000-0000-000000000000"  # the XSRF check comes before the session is looked up


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and its key, valid for two days."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def cluster(certificate):
    cert, key = certificate
    running = replicas.start(1, data=settings.DEMO_DATA_DIR, tls=haproxy.Tls(cert, key, free_port()))
    yield running
    running.stop()


def test_plain_http_is_redirected_to_https_and_https_carries_hsts(cluster, certificate):
    plain = f"http://127.0.0.1:{cluster.tls.http_port}"
    moved = requests.get(f"{plain}/targets?asof=2026-10-31", allow_redirects=False, timeout=10)
    assert moved.status_code == 301 and moved.headers["location"] == f"{cluster.url}/targets?asof=2026-10-31"
    assert "strict-transport-security" not in moved.headers  # HSTS only counts over HTTPS
    assert requests.get(f"{plain}/_stcore/health", timeout=10).status_code == 200, "a monitor may ask over HTTP"
    page = requests.get(f"{cluster.url}/", verify=str(certificate[0]), timeout=10)
    assert page.status_code == 200 and page.headers["strict-transport-security"] == f"max-age={haproxy.HSTS_SECONDS}"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{cluster.url}/", verify=True, timeout=10)  # no public authority signed it: HTTPS is real


def test_a_page_runs_over_the_secure_websocket(cluster, certificate):
    context = ssl.create_default_context(cafile=str(certificate[0]))

    async def run_page() -> load.Page:
        url = cluster.url.replace("https://", "wss://") + "/_stcore/stream"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, ssl=context) as ws:
            await ws.send(load.rerun_message("targets", query="asof=2026-10-31"))
            return await asyncio.wait_for(load.read_run(ws, load.Page()), load.RUN_TIMEOUT_S)

    page = asyncio.run(run_page())
    assert page.exceptions == [] and page.metrics, "目标进度 drew its cards over wss://"


def test_streamlit_xsrf_protection_stays_on_behind_the_proxy(cluster, certificate):
    verify = str(certificate[0])
    browser = requests.Session()
    browser.get(f"{cluster.url}/_stcore/health", verify=verify, timeout=10)
    token = browser.cookies.get(XSRF_COOKIE)
    assert token, "the replica hands out its XSRF cookie through HTTPS"
    upload = f"{cluster.url}/_stcore/upload_file/{NO_SESSION}/file"
    sticky = {k: v for k, v in browser.cookies.get_dict().items() if k != XSRF_COOKIE}
    missing = requests.put(upload, files={"file": ("a.csv", b"x")}, cookies=sticky, verify=verify, timeout=10)
    forged = browser.put(upload, files={"file": ("a.csv", b"x")}, headers={"X-Xsrftoken": "forged"}, verify=verify,
                         timeout=10)  # fmt: skip
    assert (missing.status_code, forged.status_code) == (403, 403)
    assert "XSRF" in missing.text and "XSRF" in forged.text
    right = browser.put(upload, files={"file": ("a.csv", b"x")}, headers={"X-Xsrftoken": token}, verify=verify,
                        timeout=10)  # fmt: skip
    assert right.status_code == 400 and "session" in right.text, "past the XSRF check, refused for its session only"


def test_the_certificate_and_key_are_checked_before_anything_starts(tmp_path, certificate, capsys):
    from socialwork import cli

    (tmp_path / "cert.pem").write_text("not a certificate", encoding="ascii")
    assert cli.main(["replicas", "--cert", str(tmp_path / "cert.pem"), "--key", str(certificate[1])]) == 2
    assert "证书文件" in capsys.readouterr().err
    assert cli.main(["replicas", "--cert", str(certificate[0])]) == 2
    assert "--cert 与 --key 须同时给出" in capsys.readouterr().err
    config = haproxy.config(443, [8501], tls=(tmp_path / "haproxy.pem", 80))
    assert "bind 127.0.0.1:443 ssl crt" in config and "https://%[req.hdr(host),field(1,:)]%[capture.req.uri]" in config
