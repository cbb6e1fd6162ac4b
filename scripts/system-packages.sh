#!/usr/bin/env bash
# Debian packages the tests need: Chromium (driven by Playwright, never downloaded by it) and a CJK font so
# Chinese renders in screenshots; PostgreSQL (the server database) and HAProxy (in front of the replicas) for the
# server-database and `servers` tests; openssl (the HTTPS tests' self-signed certificate), nginx (`nginx -t` on the
# shipped HTTPS proxy configuration) and systemd (`systemd-analyze verify` on the shipped units); Node.js and npm
# (scripts/plotly-lite/prune.mjs cuts Streamlit's plotly chunk down to the dashboard's trace types: without them
# Streamlit's whole chunk is served). Installed only when missing; needs root.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The crowd test's thirty pages: the headless shell has no window to composite, a quarter less CPU.
command -v chromium-headless-shell >/dev/null 2>&1 || missing+=(chromium-headless-shell)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "缺少系统软件包：${missing[*]}；请以 root 运行，或执行 sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
