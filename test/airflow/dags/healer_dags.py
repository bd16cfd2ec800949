"""DAGs that fail for real, for healer's Airflow tier. Each reads what it needs from files under
HEALER_AF_DATA (the test writes them), so the test decides whether a try fails or passes."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import dag, task

DATA = Path(os.environ.get("HEALER_AF_DATA", "/tmp/healer-af-data"))
COMMON = dict(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["healer-test"])


@dag(dag_id="flaky_extract", **COMMON)
def flaky_extract():
    # A transient error: the upstream API answers 503 on the first try of every run; Airflow's one
    # retry (after 1 s) passes. healer must leave this one to Airflow.
    @task(retries=1, retry_delay=timedelta(seconds=1))
    def extract(ti=None):
        if ti.try_number == 1:
            raise ConnectionError("503 Service Unavailable from https://api.example.test/orders (connection reset by peer)")
        return "ok"

    extract()


@dag(dag_id="flaky_no_retries", **COMMON)
def flaky_no_retries():
    # The same transient error with no Airflow retries: healer's retry (a clear) must run it again.
    @task(retries=0)
    def extract(ti=None):
        # Counted per DAG run, so every run fails on its first try only.
        marker = DATA / f"flaky_no_retries.{ti.run_id.replace(':', '_').replace('+', '_')}.tries"
        tries = int(marker.read_text()) + 1 if marker.exists() else 1
        marker.write_text(str(tries))
        if tries == 1:
            raise ConnectionError("503 Service Unavailable from https://api.example.test/orders (connection reset by peer)")
        return "ok"

    extract()


@dag(dag_id="warehouse_load", **COMMON)
def warehouse_load():
    # A permission error: retrying it changes nothing. Airflow would spend its 2 retries anyway.
    @task(retries=2, retry_delay=timedelta(seconds=1))
    def load():
        raise PermissionError("AccessDenied: role etl-loader is not authorized to perform INSERT on warehouse.orders")

    load()


@dag(dag_id="orders_ingest", **COMMON)
def orders_ingest():
    # A schema drift in a local file: the producer renamed `amount` to `order_amount`, and the
    # task's DuckDB query fails on it for real.
    @task(retries=0)
    def ingest():
        import duckdb

        src = DATA / "orders.csv"
        out = DATA / "orders_clean.csv"
        duckdb.sql(
            f"COPY (SELECT order_id, customer_id, amount, ordered_at FROM read_csv('{src}')) TO '{out}' (HEADER)"
        )
        return str(out)

    ingest()


@dag(dag_id="orders_load", **COMMON)
def orders_load():
    # Bad rows: one order came without an amount, and the warehouse table's NOT NULL constraint
    # refuses the whole load (DuckDB, for real).
    @task(retries=0)
    def load():
        import duckdb

        con = duckdb.connect()
        con.sql("CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount DOUBLE NOT NULL, ordered_at DATE)")
        con.sql(f"INSERT INTO orders SELECT * FROM read_csv('{DATA / 'load' / 'orders.csv'}')")
        return con.sql("SELECT count(*) FROM orders").fetchone()[0]

    load()


@dag(dag_id="partner_feed", **COMMON)
def partner_feed():
    # A late upstream file: the partner's drop is not there yet on the first try.
    @task(retries=0)
    def wait_and_load():
        path = DATA / "partner" / "feed.csv"
        if not path.exists():
            raise FileNotFoundError(f"upstream file not found: {path} (upstream job has not delivered yet)")
        return path.read_text().count("\n")

    wait_and_load()


flaky_extract()
flaky_no_retries()
warehouse_load()
orders_ingest()
orders_load()
partner_feed()
