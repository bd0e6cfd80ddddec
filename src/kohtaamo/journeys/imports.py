"""File imports and exports: interaction events and customers from CSV, standard event logs
(XES, CSV) in and out.

An import runs in batches of :data:`BATCH_ROWS` rows, each in its own transaction: a
batch is stored completely or not at all, and a crash loses at most the batch in flight
(the report says how many batches were committed). Bad rows do not stop an import: each
is reported with its line number and reason, and the valid rows are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import FieldProblem, InvalidInput, NotFound
from kohtaamo.journeys import customers as customer_service
from kohtaamo.journeys import eventlog, service
from kohtaamo.journeys import repository as repo
from kohtaamo.journeys.ingest import do_store_events
from kohtaamo.journeys.journeymap import get_journey
from kohtaamo.storage.db import Database

BATCH_ROWS = 1000
IMPORT_TEAM = "Event log import"

EVENT_COLUMNS = {
    "event_id": "id",
    "customer_id": "customer",
    "touchpoint": "touchpoint",
    "timestamp": "occurred_at",
    "journey": "journey",
    "journey_instance": "journey_instance",
    "channel_detail": "channel_detail",
    "order_value": "order_value",
}
REQUIRED_EVENT_COLUMNS = ("event_id", "customer_id", "touchpoint", "timestamp")
CUSTOMER_FIELDS = (
    "segment",
    "region",
    "plan",
    "customer_since",
    "purchases",
    "lifetime_value",
    "locale",
    "email",
)
TRUE_WORDS = {"1", "true", "yes", "y", "kyllä", "k", "ja", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "ei", "nej", ""}

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LineProblem:
    line: int  # line number in the file (1 = header), or event number in an XES log
    field: str
    message: str  # an English msgid; params fill it in
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass
class ImportReport:
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    problems: list[LineProblem] = dataclasses.field(default_factory=list)

    def add_problems(self, line: int, problems: Iterable[FieldProblem]) -> None:
        self.problems.extend(LineProblem(line, p.field, p.message, p.params) for p in problems)


def _batches(rows: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _header_index(header: list[str], required: Iterable[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    missing = [name for name in required if name not in lowered]
    if missing:
        raise InvalidInput(
            "The file has no column %(columns)s (its columns: %(found)s).",
            field="file",
            columns=", ".join(missing),
            found=", ".join(header),
        )
    return {name: i for i, name in enumerate(lowered)}


def _open_csv(
    path: Path, delimiter: str, encoding: str
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        return eventlog.csv_rows(path, delimiter=delimiter, encoding=encoding)
    except eventlog.EventLogError as exc:
        raise InvalidInput(str(exc), field="file") from None
    except LookupError:
        raise InvalidInput(
            "Unknown encoding: %(encoding)s.", field="encoding", encoding=encoding
        ) from None


# --- interaction events from CSV ------------------------------------------------------------


def _store_batch(
    db: Database,
    actor: Actor,
    report: ImportReport,
    batch: list[tuple[int, dict[str, Any]]],
    prepare: Callable[[Session, list[dict[str, Any]]], None] | None = None,
) -> None:
    items = [item for _, item in batch]
    with db.transaction(actor.organisation_id) as session:
        if prepare is not None:
            prepare(session, items)
        result = do_store_events(session, actor, items)
    report.batches += 1
    report.rows += len(batch)
    report.stored += result.accepted
    report.duplicates += result.duplicates
    report.rejected += result.rejected
    for outcome in result.outcomes:
        if outcome.status == "rejected":
            report.add_problems(batch[outcome.index][0], outcome.problems)


def import_events_csv(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    delimiter: str = "auto",
    encoding: str = "auto",
    progress: Progress | None = None,
) -> ImportReport:
    """Import interaction events (event_id, customer_id, touchpoint, timestamp, …)."""
    actor.require("events.ingest")
    header, rows = _open_csv(path, delimiter, encoding)
    index = _header_index(header, REQUIRED_EVENT_COLUMNS)
    columns = [(i, EVENT_COLUMNS[name]) for name, i in index.items() if name in EVENT_COLUMNS]
    width = len(header)
    report = ImportReport()

    def items() -> Iterator[tuple[int, Any]]:
        for line, row in rows:
            if len(row) != width:
                # A shifted row would put values in the wrong fields: reject it whole.
                report.rows += 1
                report.rejected += 1
                report.problems.append(
                    LineProblem(
                        line,
                        "row",
                        "The row has %(found)s columns; the header has %(expected)s.",
                        {"found": len(row), "expected": width},
                    )
                )
                continue
            yield line, {key: row[i] for i, key in columns if row[i] != ""}

    for batch in _batches(items(), BATCH_ROWS):
        _store_batch(db, actor, report, batch)
        if progress:
            progress(report.rows)
    return report


# --- standard event logs ----------------------------------------------------------------------

_NOT_KEY = re.compile(r"[^a-z0-9_.-]+")


def activity_key(activity: str) -> str:
    """A touchpoint key for an event-log activity: itself when it is one, else a slug."""
    if service.KEY_RE.match(activity):
        return activity
    slug = _NOT_KEY.sub("_", activity.strip().lower()).strip("_")
    return slug[:80] or "activity"


def _log_event_id(case_id: str, seq: int) -> str:
    """The same event of the same log gets the same id, so importing a log twice stores it once."""
    digest = hashlib.blake2b(f"{case_id}\x1f{seq}".encode(), digest_size=16).hexdigest()
    return f"log-{digest}"


def import_event_log(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    create_touchpoints: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an XES or CSV event log: case id → customer, activity → touchpoint key.

    Unknown activities become touchpoints in channel "other" (owned by the team
    "Event log import") only when ``create_touchpoints``; otherwise their events are
    rejected and reported.
    """
    actor.require("events.ingest")
    if create_touchpoints:
        actor.require("journeys.edit")
    report = ImportReport()
    seq: dict[str, int] = {}

    def items() -> Iterator[tuple[int, Any]]:
        for number, (case_id, activity, moment) in enumerate(
            eventlog.read_event_log(path), start=1
        ):
            n = seq[case_id] = seq.get(case_id, 0) + 1
            yield (
                number,
                {
                    "id": _log_event_id(case_id, n),
                    "customer": case_id,
                    "touchpoint": activity_key(activity),
                    "occurred_at": moment,
                },
            )

    def ensure(session: Session, batch: list[dict[str, Any]]) -> None:
        owner = service.do_ensure_team(session, actor, IMPORT_TEAM)
        service.do_ensure_touchpoints(
            session, actor, {str(i["touchpoint"]) for i in batch}, owner=owner
        )

    try:
        for batch in _batches(items(), BATCH_ROWS):
            _store_batch(db, actor, report, batch, ensure if create_touchpoints else None)
            if progress:
                progress(report.rows)
    except eventlog.EventLogError as exc:
        raise InvalidInput(
            "%(problem)s (%(batches)s batches were stored before this).",
            field="file",
            problem=str(exc),
            batches=report.batches,
        ) from None
    return report


# --- customers from CSV ---------------------------------------------------------------------


def _customer_item(header: list[str], row: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    consents: dict[str, Any] = {}
    for name, value in zip(header, row, strict=False):
        key = name.strip().lower()
        value = value.strip()
        if key == "external_id":
            item["external_id"] = value
        elif key in CUSTOMER_FIELDS:
            if value:
                item[key] = value
        elif key.startswith(("consent:", "consent_")):
            word = value.lower()
            consents[key[8:]] = (
                True if word in TRUE_WORDS else False if word in FALSE_WORDS else value
            )
        elif value:
            attributes[name.strip()] = value
    if attributes:
        item["attributes"] = attributes
    if consents:
        item["consents"] = consents
    return item


def import_customers_csv(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    delimiter: str = "auto",
    encoding: str = "auto",
    progress: Progress | None = None,
) -> ImportReport:
    """external_id, then any of segment, region, plan, customer_since, purchases,
    lifetime_value, locale, email; ``consent:<name>`` columns are consents; others
    attributes."""
    actor.require("events.ingest")
    header, rows = _open_csv(path, delimiter, encoding)
    _header_index(header, ["external_id"])
    report = ImportReport()
    items = ((line, _customer_item(header, row)) for line, row in rows)
    for batch in _batches(items, BATCH_ROWS):
        with db.transaction(actor.organisation_id) as session:
            outcomes = customer_service.do_upsert_customer_batch(
                session, actor, [item for _, item in batch]
            )
        report.batches += 1
        report.rows += len(batch)
        for outcome in outcomes:
            if outcome.status == "rejected":
                report.rejected += 1
                report.add_problems(batch[outcome.index][0], outcome.problems)
            else:
                report.stored += 1
        if progress:
            progress(report.rows)
    return report


# --- export -----------------------------------------------------------------------------------

ExportFormat = Literal["xes", "csv"]


def check_export(
    session: Session, actor: Actor, journey_id: uuid.UUID | None
) -> list[uuid.UUID] | None:
    """The touchpoints to export (those on the journey), or None for all; 404 if no journey."""
    actor.require("journeys.view")
    if journey_id is None:
        return None
    journey = get_journey(session, actor, journey_id)
    if journey is None:  # pragma: no cover - get_journey raises
        raise NotFound()
    return [placed.touchpoint_id for placed, _ in repo.placements(session, journey.id)]


def export_event_log(
    session: Session,
    actor: Actor,
    fmt: ExportFormat,
    *,
    journey_id: uuid.UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[str]:
    """The organisation's events as an XES or CSV log, in chunks (streamed, any size).

    Case id = the customer's external id; activity = the touchpoint key; each event
    also carries ``kohtaamo:event_id``, the id it was sent with.
    """
    touchpoint_ids = check_export(session, actor, journey_id)
    rows = repo.export_rows(session, touchpoint_ids=touchpoint_ids, start=start, end=end)
    events = (
        (case, activity, moment, {"kohtaamo:event_id": key}) for case, activity, moment, key in rows
    )
    if fmt == "xes":
        return eventlog.write_xes(events)
    return eventlog.write_csv_log(events, ("kohtaamo:event_id",))
