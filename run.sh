#!/usr/bin/env bash
# Start the dashboard on the built-in demo county (or $SOCIALWORK_DATA): http://localhost:8501
# Creates .venv and installs requirements.txt on first use. Extra arguments go to `serve`
# (e.g. ./run.sh --port 8600 --address 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh requirements.txt
exec .venv/bin/python -m socialwork serve "$@"
