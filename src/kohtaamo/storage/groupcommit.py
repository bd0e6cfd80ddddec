"""Group commit: units of work from many threads share one transaction and one commit.

On SQLite every commit waits for an fsync (synchronous=FULL) and writers queue for one
lock, so one request = one transaction caps a server at a few hundred writes a second
however small they are. Here concurrent callers queue their units of work; whichever
caller finds nobody writing becomes the leader, runs everything queued so far in ONE
transaction (each unit in its own savepoint, under its own tenant), commits once, and
only then releases the others with their own results. Then it hands the lead to the
next waiting caller, so no caller serves others for longer than one group.

Guarantees:

- a unit's result is returned only after the transaction holding it has committed;
- a unit that raises is rolled back to its savepoint and its caller gets the exception;
  its neighbours in the group are kept;
- if the group transaction itself fails (at BEGIN or COMMIT), nothing of it was kept,
  and each unit is run again on its own, so one unit cannot fail another's request;
- callbacks registered with :func:`kohtaamo.storage.db.after_commit` run after the
  commit that kept their unit (not when its savepoint is released), and are dropped
  with a unit that was rolled back.

Units must touch only the database (they may run twice, as said above) and must not
leave dirty ORM objects of their tenant behind: the session switches tenant between
units.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from kohtaamo.storage.db import Database

T = TypeVar("T")

MAX_GROUP_WEIGHT = 20_000  # e.g. events: bounds one transaction's size and latency


@dataclass(eq=False)
class _Unit(Generic[T]):
    tenant: uuid.UUID
    work: Callable[[Session], T]
    weight: int
    wake: threading.Event = field(default_factory=threading.Event)
    done: bool = False
    result: Any = None
    error: BaseException | None = None

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.done = result, error, True


class GroupCommit:
    """Run units of work of one :class:`Database` in shared transactions."""

    def __init__(self, db: Database, max_weight: int = MAX_GROUP_WEIGHT) -> None:
        self.db = db
        self.max_weight = max_weight
        self._lock = threading.Lock()
        self._queue: deque[_Unit[Any]] = deque()
        self._leading = False  # invariant: when False, the queue is empty
        self.groups = 0  # how many transactions were committed for how many units: for tests
        self.units = 0

    def run(self, tenant: uuid.UUID, work: Callable[[Session], T], weight: int = 1) -> T:
        """Run ``work(session)`` for ``tenant`` and return its result once committed."""
        unit: _Unit[T] = _Unit(tenant, work, max(1, weight))
        with self._lock:
            self._queue.append(unit)
            lead = not self._leading
            self._leading = True
        if not lead:
            unit.wake.wait()  # woken when done, or to lead (it is then first in the queue)
        if not unit.done:
            self._lead()
        if unit.error is not None:
            raise unit.error
        result: T = unit.result
        return result

    def _lead(self) -> None:
        with self._lock:
            group = [self._queue.popleft()]
            weight = group[0].weight
            while self._queue and weight + self._queue[0].weight <= self.max_weight:
                weight += self._queue[0].weight
                group.append(self._queue.popleft())
        try:
            self._run_group(group)
        except BaseException as exc:  # e.g. KeyboardInterrupt: nobody may wait forever
            for unit in group:
                if not unit.done:
                    unit.finish(error=exc)
            raise
        finally:
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._leading = successor is not None
            for unit in group:
                unit.wake.set()
            if successor is not None:
                successor.wake.set()

    def _run_group(self, group: list[_Unit[Any]]) -> None:
        if len(group) == 1:
            self._run_alone(group[0])
            return
        outcomes: list[tuple[Any, BaseException | None]] = []
        try:
            with self.db.transaction(group[0].tenant) as session:
                for unit in group:
                    outcomes.append(_run_in_savepoint(session, unit))
        except Exception:
            # The shared transaction is gone and kept nothing: each unit again, alone.
            for unit in group:
                self._run_alone(unit)
            return
        for unit, (result, error) in zip(group, outcomes, strict=True):
            unit.finish(result, error)
        with self._lock:
            self.groups += 1
            self.units += len(group)

    def _run_alone(self, unit: _Unit[Any]) -> None:
        try:
            with self.db.transaction(unit.tenant) as session:
                result = unit.work(session)
        except Exception as exc:
            unit.finish(error=exc)
            return
        unit.finish(result)
        with self._lock:
            self.groups += 1
            self.units += 1


def _run_in_savepoint(session: Session, unit: _Unit[Any]) -> tuple[Any, BaseException | None]:
    """The unit's result or exception. Raises only if the savepoint itself cannot be
    released or rolled back: the whole transaction is then in doubt."""
    session.info["tenant"] = unit.tenant
    # SQLAlchemy fires the session's after_commit / after_rollback events for savepoints
    # too, and storage.db then runs (or drops) every pending after-commit callback. Hold
    # them aside around the savepoint so that they run only after the real commit, and
    # so that a unit rolled back drops only its own.
    neighbours = session.info.pop("after_commit", [])
    savepoint = session.begin_nested()
    try:
        result = unit.work(session)
        session.flush()  # inside the savepoint, under this unit's tenant
    except Exception as exc:
        savepoint.rollback()
        session.info["after_commit"] = neighbours
        return None, exc
    own = session.info.pop("after_commit", [])
    savepoint.commit()
    session.info["after_commit"] = neighbours + own
    return result, None


_instances: WeakKeyDictionary[Database, GroupCommit] = WeakKeyDictionary()
_instances_lock = threading.Lock()


def group_commit(db: Database) -> GroupCommit:
    """The one :class:`GroupCommit` of ``db`` in this process."""
    with _instances_lock:
        found = _instances.get(db)
        if found is None:
            found = _instances[db] = GroupCommit(db)
        return found
