#!/usr/bin/env bash
# Run every check: ruff (lint and format), the unit and AppTest tests, the browser tests, then the crowd test and
# the servers test (SeaweedFS, PostgreSQL, two replicas, HAProxy). Creates .venv with requirements-dev.txt (which
# brings SeaweedFS) and, as root, installs the Debian packages scripts/system-packages.sh lists (chromium, a CJK font,
# postgresql, haproxy, openssl, nginx, systemd).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
scripts/system-packages.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -n 2 "$@"
# The thirty-session crowd and the replicas need the machine to themselves: each alone, after the rest, unless a
# selection was given.
if [ $# -eq 0 ]; then
  .venv/bin/python -m pytest -m crowd -rP
  exec .venv/bin/python -m pytest -m servers -p no:xdist
fi
