"""healer's Airflow listener plugin: reports every failed task-instance try to healer.

Copy this file into Airflow's plugins folder. On each failed try (the task going to ``failed`` or to
``up_for_retry``) it reports one JSON event: posted to ``healer serve``'s ``POST /api/events`` when
``HEALER_URL`` is set (with ``HEALER_TOKEN`` as the bearer token), written into the spool folder
named by ``HEALER_SPOOL_DIR`` otherwise, or when the post fails (``healer airflow watch`` reads the
spool either way). It never changes Airflow's state and never raises: healer being unreachable must
not fail the task a second time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.request
from datetime import datetime, timezone

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

SCHEMA = "healer.airflow.task_failed/1"
MAX_ERROR_CHARS = 20_000
POST_TIMEOUT_SECONDS = 5


def _state_after(task_instance, retries: int) -> str:
    # Airflow sets the state before the listener runs on most paths; where it has not yet, a try
    # number within the operator's retries means Airflow will try again itself.
    state = getattr(task_instance, "state", None)
    value = getattr(state, "value", state)
    if value in ("failed", "up_for_retry"):
        return value
    try_number = int(getattr(task_instance, "try_number", 1) or 1)
    return "up_for_retry" if try_number <= retries else "failed"


def _assets(items) -> list[str]:
    out: list[str] = []
    for item in items or []:
        uri = getattr(item, "uri", None) or getattr(item, "name", None)
        if isinstance(uri, str) and uri:
            out.append(uri)
    return out[:100]


def build_event(task_instance, error) -> dict:
    """The spooled event: what Airflow knows of the failed try, nothing more."""
    task = getattr(task_instance, "task", None)
    retries = int(getattr(task, "retries", 0) or 0)
    message = ""
    if error is not None:
        message = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    return {
        "schema": SCHEMA,
        "dag_id": task_instance.dag_id,
        "run_id": task_instance.run_id,
        "task_id": task_instance.task_id,
        "map_index": int(getattr(task_instance, "map_index", -1) if getattr(task_instance, "map_index", None) is not None else -1),
        "try_number": int(getattr(task_instance, "try_number", 1) or 1),
        "max_tries": int(getattr(task_instance, "max_tries", retries) or 0),
        "retries": retries,
        "state": _state_after(task_instance, retries),
        "error": message[-MAX_ERROR_CHARS:],
        "operator": type(task).__name__ if task is not None else "",
        "inlets": _assets(getattr(task, "inlets", None)),
        "outlets": _assets(getattr(task, "outlets", None)),
        "occurred_at": datetime.now(timezone.utc).isoformat(),
    }


def spool(event: dict, folder: str) -> str:
    """Writes the event atomically (temp file, then rename) so the watcher never reads half of it."""
    os.makedirs(folder, exist_ok=True)
    key = "|".join(str(event[k]) for k in ("dag_id", "run_id", "task_id", "map_index", "try_number"))
    name = f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(event, handle)
    final = os.path.join(folder, name)
    os.replace(tmp, final)
    return final


def post(event: dict, url: str, token: str) -> int:
    """POSTs the event to ``{url}/api/events``; returns the HTTP status (202 when accepted)."""
    request = urllib.request.Request(
        url.rstrip("/") + "/api/events",
        data=json.dumps(event).encode("utf-8"),
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
        return response.status


def report(event: dict) -> str:
    """Posts when HEALER_URL is set, spools otherwise or when the post fails; says which."""
    url = os.environ.get("HEALER_URL")
    folder = os.environ.get("HEALER_SPOOL_DIR")
    if url:
        try:
            status = post(event, url, os.environ.get("HEALER_TOKEN", ""))
            if status == 202:
                return "posted"
            failure = f"HTTP {status}"
        except Exception as exc:  # an HTTP error, a refused connection, a timeout
            failure = str(exc)
        print(f"healer listener: could not post the failure to {url}: {failure}")
    if folder:
        spool(event, folder)
        return "spooled"
    return "lost"


class HealerListener:
    @hookimpl
    def on_task_instance_failed(self, previous_state, task_instance, error):
        if not os.environ.get("HEALER_URL") and not os.environ.get("HEALER_SPOOL_DIR"):
            return
        try:
            report(build_event(task_instance, error))
        except Exception as exc:  # never fail the task because healer could not be told
            print(f"healer listener: could not report the failure: {exc}")


class HealerPlugin(AirflowPlugin):
    name = "healer"
    listeners = [HealerListener()]
