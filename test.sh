#!/usr/bin/env bash
# Run every check: ruff (lint and format), the unit and AppTest tests, and the browser tests.
# Creates .venv with requirements-dev.txt and, as root, installs Debian's chromium and a CJK font.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements-dev.txt
scripts/system-packages.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest -n 2 "$@"
