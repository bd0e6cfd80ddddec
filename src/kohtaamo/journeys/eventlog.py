"""Standard event logs on disk: XES and CSV (case id, activity, timestamp). No database.

Process-mining tools read what Kohtaamo writes here, and Kohtaamo reads theirs. Both
readers stream: a file of millions of events is never held in memory. XES is parsed
with ``defusedxml`` so that entity expansion ("billion laughs"), external entities and
DTDs are refused instead of followed.

Timestamps without a time zone are taken as UTC: logs from other tools often carry none,
and refusing them would make such logs unreadable.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

CSV_CASE = ("case:concept:name", "case_id", "case id", "caseid", "case")
CSV_ACTIVITY = ("concept:name", "activity", "activity_name", "event")
CSV_TIMESTAMP = ("time:timestamp", "timestamp", "time", "start_timestamp")
DELIMITERS = (",", ";", "\t")
_CHUNK = 1 << 20

LogEvent = tuple[str, str, datetime]


class EventLogError(ValueError):
    """The file is not a readable event log; the message names the line or the problem."""


# --- text files: encoding and delimiter -----------------------------------------------


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is valid UTF-8 (with or without BOM), else Latin-1.

    The whole file is checked (an incremental decode, fast) so that an import never fails
    half-way on a byte far down the file.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8-sig"


def detect_delimiter(header: str) -> str:
    """The most frequent of ``,`` ``;`` and tab on the header line (``,`` on a tie)."""
    return max(DELIMITERS, key=lambda d: (header.count(d), d == ","))


def open_text(path: Path, encoding: str = "auto") -> IO[str]:
    enc = detect_encoding(path) if encoding == "auto" else encoding
    if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # a BOM is never part of the first column's name
    return path.open("r", encoding=enc, newline="")


def csv_rows(
    path: Path, *, delimiter: str = "auto", encoding: str = "auto"
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (names stripped) and an iterator of (line number, row) after it."""
    fh = open_text(path, encoding)
    first = fh.readline()
    if not first.strip():
        fh.close()
        raise EventLogError("The file is empty.")
    delim = detect_delimiter(first) if delimiter == "auto" else _delimiter(delimiter)
    header = [h.strip() for h in next(csv.reader([first], delimiter=delim))]

    def rows() -> Iterator[tuple[int, list[str]]]:
        with fh:
            reader = csv.reader(fh, delimiter=delim)
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    yield reader.line_num + 1, row

    return header, rows()


def _delimiter(name: str) -> str:
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t"}
    value = named.get(name.lower(), name)
    if value not in DELIMITERS:
        raise EventLogError("The delimiter must be one of: comma, semicolon, tab.")
    return value


def find_column(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


# --- timestamps ------------------------------------------------------------------------


def parse_timestamp(text: str, *, naive_as_utc: bool = True) -> datetime:
    """ISO 8601 (``Z`` allowed). Raises ValueError on a malformed or (optionally) naive time."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        if not naive_as_utc:
            raise ValueError("naive")
        return moment.replace(tzinfo=UTC)
    return moment


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# --- reading -----------------------------------------------------------------------------


def read_event_log(path: Path | str) -> Iterator[LogEvent]:
    """Every event of an XES (``.xes``) or CSV log as (case id, activity, timestamp).

    Events come in file order. CSV needs a header naming the case id, activity and
    timestamp columns (``case:concept:name``/``case_id``, ``concept:name``/``activity``,
    ``time:timestamp``/``timestamp``); the delimiter and encoding are detected.
    """
    path = Path(path)
    if path.suffix.lower() == ".xes":
        return read_xes(path)
    return read_csv_log(path)


def read_csv_log(
    path: Path, *, delimiter: str = "auto", encoding: str = "auto"
) -> Iterator[LogEvent]:
    header, rows = csv_rows(path, delimiter=delimiter, encoding=encoding)
    columns = [find_column(header, names) for names in (CSV_CASE, CSV_ACTIVITY, CSV_TIMESTAMP)]
    missing = [
        label
        for label, col in zip(("case id", "activity", "timestamp"), columns, strict=True)
        if col is None
    ]
    if missing:
        raise EventLogError(
            f"The CSV log has no {', '.join(missing)} column (found: {', '.join(header)})."
        )
    ci, ai, ti = (c for c in columns if c is not None)
    width = max(ci, ai, ti)

    def events() -> Iterator[LogEvent]:
        parse = datetime.fromisoformat
        for line, row in rows:
            if len(row) <= width:
                raise EventLogError(f"Line {line}: too few columns.")
            try:
                moment = parse(row[ti])
            except ValueError:
                raise EventLogError(
                    f"Line {line}: {row[ti]!r} is not an ISO 8601 timestamp."
                ) from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            yield row[ci], row[ai], moment

    return events()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xes(path: Path | str | IO[bytes]) -> Iterator[LogEvent]:
    """Stream the events of an XES log; traces are dropped from memory once read."""
    source = path if not isinstance(path, Path) else str(path)
    try:
        context = iterparse(source, events=("start", "end"), forbid_dtd=True)
        yield from _xes_events(context)
    except ParseError as exc:
        raise EventLogError(f"The file is not valid XML: {exc}.") from None
    except DefusedXmlException as exc:
        raise EventLogError(f"The file uses forbidden XML features: {exc}.") from None


def _xes_events(context: Iterator[tuple[str, Element]]) -> Iterator[LogEvent]:
    depth_trace = False
    in_event = False
    case_id = ""
    events: list[tuple[str, str]] = []
    activity = ""
    stamp = ""
    root: Element | None = None
    for kind, elem in context:
        tag = _local(elem.tag)
        if root is None:
            root = elem
            if tag != "log":
                raise EventLogError("The file is XML but not an XES log (no <log> element).")
        if kind == "start":
            if tag == "trace":
                depth_trace, case_id, events = True, "", []
            elif tag == "event":
                in_event, activity, stamp = True, "", ""
            continue
        key = elem.get("key")
        if tag == "event":
            events.append((activity, stamp))
            in_event = False
        elif tag == "trace":
            yield from _trace_events(case_id, events)
            depth_trace = False
            if root is not None:
                root.clear()  # drop read traces: memory stays flat on logs of any size
        elif in_event and key == "concept:name" and tag == "string":
            activity = elem.get("value", "")
        elif in_event and key == "time:timestamp" and tag == "date":
            stamp = elem.get("value", "")
        elif depth_trace and not in_event and key == "concept:name" and tag == "string":
            case_id = elem.get("value", "")


def _trace_events(case_id: str, events: list[tuple[str, str]]) -> Iterator[LogEvent]:
    for number, (activity, stamp) in enumerate(events, start=1):
        if not stamp:
            raise EventLogError(f"Trace {case_id!r}, event {number}: no time:timestamp.")
        try:
            moment = parse_timestamp(stamp)
        except ValueError:
            raise EventLogError(
                f"Trace {case_id!r}, event {number}: {stamp!r} is not an ISO 8601 timestamp."
            ) from None
        yield case_id, activity, moment


# --- writing -----------------------------------------------------------------------------

ExportEvent = tuple[str, str, datetime, dict[str, str]]

XES_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="Kohtaamo interaction events"/>
"""


def write_xes(events: Iterable[ExportEvent]) -> Iterator[str]:
    """XES text in chunks. ``events`` must come grouped by case, each case in trace order."""
    yield XES_HEADER
    current: str | None = None
    buf = io.StringIO()
    for case_id, activity, moment, extra in events:
        if case_id != current:
            if current is not None:
                buf.write("  </trace>\n")
            buf.write(f'  <trace>\n    <string key="concept:name" value={quoteattr(case_id)}/>\n')
            current = case_id
        buf.write(
            f'    <event><string key="concept:name" value={quoteattr(activity)}/>'
            f'<date key="time:timestamp" value="{format_timestamp(moment)}"/>'
        )
        for key, value in extra.items():
            buf.write(f"<string key={quoteattr(key)} value={quoteattr(value)}/>")
        buf.write("</event>\n")
        if buf.tell() > 64_000:
            yield buf.getvalue()
            buf = io.StringIO()
    if current is not None:
        buf.write("  </trace>\n")
    buf.write("</log>\n")
    yield buf.getvalue()


def write_csv_log(
    events: Iterable[ExportEvent], extra_columns: tuple[str, ...] = ()
) -> Iterator[str]:
    """CSV with the column names pm4py and most tools expect."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["case:concept:name", "concept:name", "time:timestamp", *extra_columns])
    for case_id, activity, moment, extra in events:
        writer.writerow(
            [
                case_id,
                activity,
                format_timestamp(moment),
                *(extra.get(c, "") for c in extra_columns),
            ]
        )
        if buf.tell() > 64_000:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
