"""Task handlers and periodic schedules, declared where the work belongs.

Each domain's ``tasks.py`` declares its handlers::

    @task("mail.send", max_attempts=8)
    def send(session: Session, payload: dict[str, Any]) -> None: ...

A handler runs in one transaction scoped to the job's organisation, and the same
transaction marks the job done: its database effects happen exactly once. Effects
outside the database (an e-mail) happen at least once, so handlers keep them last.
On SQLite the handler's first write takes the database's write lock until the job
ends, so slow work (network calls) belongs before the first write, not after it.

A service enqueues by the constant its ``tasks`` module exports, which also makes sure
the handler is registered in the enqueuing process (``enqueue`` checks the name).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped: attempt n waits about base·2ⁿ⁻¹."""

    max_attempts: int = 5
    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** (attempt - 1))
        # "Equal jitter": at least half the backoff, so retries stay spread out but a
        # storm of failures does not retry in lockstep.
        return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


@dataclass(frozen=True)
class TaskDef:
    name: str
    func: Handler
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Clear the payload once done: it may hold personal data (addresses, texts).
    scrub_payload: bool = False


@dataclass(frozen=True)
class Schedule:
    task: str
    every: timedelta


class UnknownTask(LookupError):
    pass


_tasks: dict[str, TaskDef] = {}
_schedules: dict[str, Schedule] = {}


def task(
    name: str,
    *,
    max_attempts: int = 5,
    backoff: timedelta = timedelta(seconds=10),
    backoff_cap: timedelta = timedelta(hours=1),
    scrub_payload: bool = False,
) -> Callable[[Handler], Handler]:
    """Register ``func`` as the handler of jobs named ``name``."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    policy = RetryPolicy(max_attempts=max_attempts, base=backoff, cap=backoff_cap)

    def register(func: Handler) -> Handler:
        existing = _tasks.get(name)
        if existing is not None and _qualname(existing.func) != _qualname(func):
            raise ValueError(f"task {name!r} is already registered by {_qualname(existing.func)}")
        _tasks[name] = TaskDef(name, func, policy, scrub_payload)
        return func

    return register


def schedule(name: str, *, every: timedelta) -> None:
    """Run task ``name`` once per ``every``, slots aligned to the Unix epoch in UTC."""
    if every < timedelta(seconds=1):
        raise ValueError("a schedule must be at least one second apart")
    _schedules[name] = Schedule(name, every)


def periodic(name: str, *, every: timedelta, **options: Any) -> Callable[[Handler], Handler]:
    """A task that the scheduler enqueues once per ``every`` (payload ``{}``, no tenant)."""
    register = task(name, **options)

    def decorator(func: Handler) -> Handler:
        register(func)
        schedule(name, every=every)
        return func

    return decorator


def get_task(name: str) -> TaskDef:
    try:
        return _tasks[name]
    except KeyError:
        raise UnknownTask(name) from None


def schedules() -> list[Schedule]:
    return list(_schedules.values())


def discover(extra_modules: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Import every ``kohtaamo.<domain>.tasks`` module (and ``extra_modules``).

    Runners call this before they take jobs, so a worker knows every handler without a
    hand-kept list. Returns the modules imported.
    """
    import kohtaamo

    names = [
        f"kohtaamo.{info.name}.tasks"
        for info in pkgutil.iter_modules(kohtaamo.__path__)
        if info.ispkg and importlib.util.find_spec(f"kohtaamo.{info.name}.tasks") is not None
    ]
    names += list(extra_modules)
    for module in names:
        importlib.import_module(module)
    return names


def _qualname(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"
