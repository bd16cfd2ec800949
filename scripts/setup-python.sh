#!/usr/bin/env bash
# Creates .venv with moto[server] (the AWS API emulator) and pyspark (for the Glue remediation
# script tests). Idempotent: does nothing when both are already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
if .venv/bin/python -c 'import moto, pyspark, flask_cors' >/dev/null 2>&1; then exit 0; fi
.venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6' 'pyspark>=3.5,<4'
