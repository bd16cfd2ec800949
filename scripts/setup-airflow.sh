#!/usr/bin/env bash
# Creates .venv-airflow with Apache Airflow 3 (scheduler, API server, DAG processor; SQLite) for the
# Airflow test tier, plus DuckDB for the test DAGs. Idempotent: does nothing when both import.
# Versions are pinned by airflow/constraints-3.3.2-py3.11.txt (Airflow's own constraints file is
# published outside the package registries, so this project keeps the set it resolved and tested).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON_AIRFLOW:-python3.11}
if ! command -v "$PY" >/dev/null 2>&1; then PY=python3; fi
if [ ! -x .venv-airflow/bin/python ]; then "$PY" -m venv .venv-airflow; fi
if .venv-airflow/bin/python -c 'import airflow, duckdb' >/dev/null 2>&1; then exit 0; fi
.venv-airflow/bin/pip install --quiet --disable-pip-version-check \
  -c airflow/constraints-3.3.2-py3.11.txt 'apache-airflow==3.3.2' 'duckdb==2.0.1'
