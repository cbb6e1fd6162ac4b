#!/usr/bin/env bash
# Run every check: ruff (lint and format), the unit and AppTest tests, the browser tests, then the crowd test.
# Creates .venv with requirements-dev.txt and, as root, installs Debian's chromium and a CJK font.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
scripts/system-packages.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -n 2 "$@"
# The thirty-session crowd needs the machine to itself: run alone, after the rest, unless a selection was given.
if [ $# -eq 0 ]; then exec .venv/bin/python -m pytest -m crowd -rP; fi
