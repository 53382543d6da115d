"""Checks and recounts the admin runs in bounded steps: the job kept in the session between
steps, the summary merged from each step's report, and the message a finished run leaves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages

from counters.report import Report

# Admin requests that check or recount work in steps of at most this many seconds of batches
# (then the page continues by itself), so a full check of a big table never times out a request.
STEP_SECONDS = 2.0
STEP_BATCH_SIZE = 2000
SAMPLE_SIZE = 1000


def recount_message(report: Report, what: str) -> tuple[int, str]:
    """A message level and text for a recount's report."""
    checked = max((c.rows_checked for c in report.counters), default=0)
    created = f"; created {report.rows_created} missing row(s)" if report.rows_created else ""
    if not report.drifted:
        return messages.SUCCESS, f"Recounted {checked} {what}: every counter was exact{created}."
    fixes = "; ".join(
        f"{c.label}: {c.rows_drifted} row(s) fixed ("
        + ", ".join(f"key {e['key']}: {e['cached']} → {e['true']}" for e in c.examples)
        + (", …" if c.rows_drifted > len(c.examples) else "")
        + ")"
        for c in report.counters
        if c.rows_drifted
    )
    return messages.WARNING, f"Recounted {checked} {what}: {fixes}{created}."


def new_job(
    mode: str, targets: list[str], ids: list[str] | None = None, database: str = "default"
) -> dict[str, Any]:
    """A check or recount the overview runs in bounded steps on one database (kept in the
    session, as JSON)."""
    job = {"mode": mode, "targets": targets, "index": 0, "start_after": None, "done": 0}
    job.update(result=None, ids=ids, database=database)
    return job


def merge(result: dict[str, Any] | None, report: Report) -> dict[str, Any]:
    """Add ``report`` into a JSON-able summary kept in the session between steps."""
    result = result or {"counters": [], "created": 0, "seconds": 0.0}
    by_label = {c["label"]: c for c in result["counters"]}
    for part in report.counters:
        entry = by_label.get(part.label)
        if entry is None:
            entry = {
                "label": part.label,
                "rows_checked": 0,
                "rows_drifted": 0,
                "largest_drift": 0,
                "examples": [],
            }
            result["counters"].append(entry)
            by_label[part.label] = entry
        entry["rows_checked"] += part.rows_checked
        entry["rows_drifted"] += part.rows_drifted
        entry["largest_drift"] = max(entry["largest_drift"], part.largest_drift)
        room = 5 - len(entry["examples"])
        entry["examples"] += [{k: str(v) for k, v in e.items()} for e in part.examples[:room]]
    result["created"] += report.rows_created
    result["seconds"] += report.seconds
    return result
