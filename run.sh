#!/usr/bin/env bash
# Start the dashboard on the built-in demo county (or $SOCIALWORK_DATA): http://localhost:8501
# Creates .venv and installs requirements.txt on first use. Extra arguments go to `serve`
# (e.g. ./run.sh --port 8600 --address 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")"
for argument in "$@"; do
  if [ "$argument" = "-h" ] || [ "$argument" = "--help" ]; then
    # Before anything is installed: help should not cost a first-time download.
    cat <<'USAGE'
usage: ./run.sh [--port N] [--address ADDRESS] [--data DIR]

Start the dashboard (Streamlit) at http://localhost:8501 on the built-in demo county, or on the
county's store given by --data or $SOCIALWORK_DATA (a folder or s3://bucket/prefix).
The first run creates .venv and installs requirements.txt (Python >= 3.11 with venv).

  --port N            port (default 8501)
  --address ADDRESS   address to listen on (default localhost; 0.0.0.0 for every interface)
  --data DIR          the snapshot store (default $SOCIALWORK_DATA, else data/demo)

Settings: SOCIALWORK_DATA, SOCIALWORK_AUTH_FILE (logins: 数据导入, writing on 会议督办),
SOCIALWORK_DB (postgresql://… shared by replicas), SOCIALWORK_ID_KEY (person ids from 身份证号).
Stop it with Ctrl-C, or from another shell: kill <its pid>.  See README.md.
USAGE
    exit 0
  fi
done
source scripts/venv.sh requirements.txt
exec .venv/bin/python -m socialwork serve "$@"
