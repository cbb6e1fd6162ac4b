"""HAProxy (Debian's `haproxy`) in front of the app replicas: the configuration, and running it.

- Sticky sessions by cookie (`SWREPLICA`): a browser's page, its uploads and downloads (`/_stcore/upload_file`,
  `/media/…`) and its websocket reach the replica that holds its Streamlit session.
- Health checks on `/_stcore/health` every 2 s, each given 5 s: a replica that fails three in a row is taken out
  (a busy replica answers late: with 1 s and two failures a saturated lone replica was taken out, and everyone got
  503). A dead replica refuses connections at once, and `retries` with `option redispatch` send those, and a browser
  whose cookie names it, to a live one (it starts a new session there) before the checks have noticed.
- Websockets pass through (HTTP mode handles the Upgrade); `timeout tunnel` keeps an idle session's socket open
  for a working day, as long as Streamlit itself keeps it.
- `leastconn`: a new session goes to the replica holding fewest websockets, not the next in turn.
- Optionally the `cache` section keeps Streamlit's hashed static files (`/static/…`, marked immutable by
  Streamlit) in HAProxy's memory, so a replica no longer serves ~9 MB of JavaScript to each new browser.
  The replicas send those files precompressed (socialwork/web/static_encoding.py) with `Vary: Accept-Encoding`:
  `process-vary on` keeps one copy per content coding (without it HAProxy caches no response carrying Vary), and
  HAProxy itself compresses nothing, so nothing is compressed twice and brotli, which it lacks, stays.
- Optionally HTTPS (`Tls`): HAProxy holds the certificate and key and speaks plain HTTP to the replicas on loopback;
  the plain HTTP port answers every request with a redirect to HTTPS (301) except the health check, which a monitor
  may ask over either, and HTTPS answers carry HSTS, so a browser that has seen the site once never tries HTTP
  again. The replicas are told the request came over HTTPS (X-Forwarded-Proto); Streamlit's XSRF check stays on
  (tests/servers/test_https_servers.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from socialwork.cluster.serving import wait_until_healthy

COOKIE = "SWREPLICA"
CACHE_MB = 64  # HAProxy's memory for static files: Streamlit's whole frontend is about 10 MB
MAX_OBJECT_BYTES = 16 * 1024 * 1024  # the largest JavaScript chunk is a few MB; must be under half of CACHE_MB
TUNNEL_TIMEOUT = "8h"  # an open session's websocket, idle between reruns
HSTS_SECONDS = 31_536_000  # a year: browsers keep to HTTPS for this long after an answer over it


@dataclass(frozen=True)
class Tls:
    """HTTPS at HAProxy: the certificate and its key (PEM files) and the plain HTTP port redirected to HTTPS."""

    cert: Path
    key: Path
    http_port: int


def tls_problem(cert: Path, key: Path) -> str | None:
    """Why the certificate or key cannot be used, in Chinese; None when both are readable PEM files."""
    for path, what, marker in ((cert, "证书", "CERTIFICATE"), (key, "私钥", "PRIVATE KEY")):
        try:
            text = Path(path).read_text(encoding="ascii", errors="replace")
        except OSError as err:
            return f"无法读取{what}文件 {path}：{err.strerror or err}"
        if "-----BEGIN " not in text or marker not in text:
            return f"{what}文件 {path} 不是 PEM 格式（应含 “-----BEGIN …{marker}-----”）"
    return None


def write_pem(workdir: Path, tls: Tls) -> Path:
    """The certificate followed by its key in one file, as HAProxy's `crt` reads them; readable by its owner only."""
    path = workdir / "haproxy.pem"
    text = Path(tls.cert).read_text(encoding="ascii").rstrip("\n") + "\n" + Path(tls.key).read_text(encoding="ascii")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)
    return path


def _tls_frontend(address: str, port: int, pem: Path, http_port: int) -> list[str]:
    """HTTPS on port, and HTTP on http_port redirected to it (the health check answered on both)."""
    where = "" if port == 443 else f":{port}"
    return [
        f"    bind {address}:{port} ssl crt {pem}",
        f"    bind {address}:{http_port}",
        "    acl health path /_stcore/health",
        f"    http-request redirect location https://%[req.hdr(host),field(1,:)]{where}%[capture.req.uri] code 301"
        " unless { ssl_fc } || health",
        "    http-request set-header X-Forwarded-Proto https if { ssl_fc }",
        f'    http-response set-header Strict-Transport-Security "max-age={HSTS_SECONDS}" if {{ ssl_fc }}',
    ]


def executable() -> str:
    """Debian installs haproxy in /usr/sbin, which a non-root PATH may lack."""
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        raise RuntimeError("HAProxy is not installed: apt-get install haproxy (scripts/system-packages.sh)")
    return found


def config(port: int, replica_ports: list[int], cache: bool = True, address: str = "127.0.0.1",
           tls: tuple[Path, int] | None = None) -> str:  # fmt: skip
    """The haproxy.cfg text: one frontend on address:port (HTTPS with `tls`, the PEM file and the plain HTTP port
    redirected), one backend of the replicas on loopback."""
    servers = [
        f"    server r{n} 127.0.0.1:{p} cookie r{n} check inter 2s fall 3 rise 2"
        for n, p in enumerate(replica_ports, 1)
    ]
    cache_section = [
        "cache static",
        f"    total-max-size {CACHE_MB}",
        f"    max-object-size {MAX_OBJECT_BYTES}",
        "    max-age 86400",
        "    process-vary on",  # a variant per Accept-Encoding: br, gzip, none
        "",
    ]
    cache_rules = [  # a response knows no path: the request's verdict travels in a variable
        "    acl static_file path_beg /static/",
        "    acl takes_br req.hdr(accept-encoding) -m sub br",
        "    acl takes_gzip req.hdr(accept-encoding) -m sub gzip",
        # One Accept-Encoding per coding the replicas answer in: HAProxy's cache hands a request any stored
        # variant whose coding it accepts (the plain one to everyone), so a browser taking br could get gzip.
        "    http-request set-header accept-encoding br if static_file takes_br",
        "    http-request set-header accept-encoding gzip if static_file !takes_br takes_gzip",
        "    http-request set-var(txn.static) bool(true) if static_file",
        "    http-request cache-use static if static_file",
        # Stored: a compressed variant, or a file the same for every browser (no Vary: fonts, images); never the
        # plain bytes of a compressible file, which would be found for every Accept-Encoding.
        "    acl compressed res.hdr(content-encoding) -m found",
        "    acl varies res.hdr(vary) -m found",
        "    http-response cache-store static if { var(txn.static) -m bool } compressed"
        " || { var(txn.static) -m bool } !varies",
    ]
    return "\n".join([
        "global",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    option redispatch",  # a dead replica's cookie: to a live one
        "    retries 3",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 120s",  # a first render of a province's page can take seconds
        f"    timeout tunnel {TUNNEL_TIMEOUT}",
        "    timeout http-request 30s",
        "    timeout check 5s",  # a replica busy with reruns answers its health check late, not never
        "",
        *(cache_section if cache else []),
        "frontend dashboard",
        *(_tls_frontend(address, port, *tls) if tls else [f"    bind {address}:{port}"]),
        "    default_backend replicas",
        "",
        "backend replicas",
        "    balance leastconn",
        f"    cookie {COOKIE} insert indirect nocache httponly",
        "    option httpchk GET /_stcore/health",
        "    http-check expect status 200",
        *(cache_rules if cache else []),
        *servers,
        "",
    ])  # fmt: skip


def start(workdir: Path, port: int, replica_ports: list[int], cache: bool = True, address: str = "127.0.0.1",
          output=subprocess.DEVNULL, tls: Tls | None = None) -> subprocess.Popen:  # fmt: skip
    """Write the configuration into workdir, check it, run haproxy in the foreground (-db) and wait until it answers
    a health check through to a replica (with `tls`, on the plain HTTP port, which answers it unredirected)."""
    path = workdir / "haproxy.cfg"
    served = (write_pem(workdir, tls), tls.http_port) if tls else None
    path.write_text(config(port, replica_ports, cache, address, served), encoding="utf-8")
    subprocess.run([executable(), "-c", "-q", "-f", str(path)], check=True)
    process = subprocess.Popen([executable(), "-db", "-f", str(path)], stdout=output, stderr=subprocess.STDOUT)
    if wait_until_healthy(process, f"http://127.0.0.1:{tls.http_port if tls else port}", 30):
        return process
    process.kill()
    raise RuntimeError(f"haproxy did not answer in 30 s (exit code {process.poll()})")
