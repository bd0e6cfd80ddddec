"""The demo organisation: one seeded generator that every capability extends.

:func:`seed_demo` runs the registered *contributors* in ``order``. A capability adds its
demo data (journeys, surveys, responses, cases…) as one module with a
``@contributor(order=…)`` function and one import line in ``kohtaamo/demo/__init__.py``.

Determinism: the same seed and size give the same content (ids aside). Each contributor
draws from its own ``random.Random`` seeded with the seed and the contributor's name, so
adding a contributor changes nothing the others generate. Generated times are relative
to :data:`REFERENCE_DATE`, and the clock is frozen there while seeding so that default
timestamps (``created_at``) do not depend on the day the demo was made.

Size: :class:`DemoScale` turns a preset or a customer count into the counts contributors
need. Contributors write through :meth:`DemoContext.write_in_batches` (one transaction
per batch, progress reported) from generators, so a million customers never sit in
memory at once and a benchmark can build large data with the very same code.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, TypeVar, get_args

from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Organisation, User
from kohtaamo.accounts.permissions import Role
from kohtaamo.kit.clock import frozen_at
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import Tenant

REFERENCE_DATE: Final = datetime(2026, 11, 1, tzinfo=UTC)

DemoSize = Literal["small", "medium", "large"]
SIZES: Final[dict[str, int]] = {"small": 2_000, "medium": 50_000, "large": 1_000_000}
MIN_CUSTOMERS, MAX_CUSTOMERS = 10, 10_000_000

ProgressFn = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called when a step starts (done=0) and after each batch."""

T = TypeVar("T")


@dataclass(frozen=True)
class DemoScale:
    """How big the demo is. Everything scales from the number of customers."""

    label: str
    customers: int

    @classmethod
    def of(cls, size: DemoSize | int | DemoScale) -> DemoScale:
        if isinstance(size, DemoScale):
            return size
        if isinstance(size, str):
            if size not in SIZES:
                raise ValueError(
                    f"size must be {', '.join(SIZES)} or a number of customers, not {size!r}"
                )
            return cls(size, SIZES[size])
        if isinstance(size, bool) or not MIN_CUSTOMERS <= size <= MAX_CUSTOMERS:
            raise ValueError(
                f"the number of customers must be between {MIN_CUSTOMERS:,} and "
                f"{MAX_CUSTOMERS:,}, not {size:,}"
            )
        return cls(str(size), size)

    @property
    def extra_staff(self) -> int:
        """Staff beyond the named demo logins; grows with the square root of customers,
        as service teams do (small: 3, medium: 15, large: 67)."""
        return max(2, round(math.sqrt(self.customers) / 15))

    def per_thousand_customers(self, rate: float, minimum: int = 1) -> int:
        """A count proportional to customers, e.g. survey responses per 1,000 customers."""
        return max(minimum, round(self.customers * rate / 1000))


def parse_size(text: str) -> DemoSize | int:
    """'small' | 'medium' | 'large' | '25000' -> a size for :func:`seed_demo`; ValueError if not."""
    value = text.strip().lower().replace("_", "")
    if value in get_args(DemoSize):
        return value  # type: ignore[return-value]
    try:
        customers = int(value)
    except ValueError:
        raise ValueError(
            f"size must be {', '.join(SIZES)} or a number of customers, not {text!r}"
        ) from None
    DemoScale.of(customers)  # raises with the allowed range
    return customers


class DemoContext:
    """What contributors share: the database, randomness, the scale and what was made.

    ``rng`` is replaced before each contributor runs (see the module docstring); use it
    and nothing else for randomness. ``shared`` carries whatever later contributors need
    from earlier ones (e.g. journeys and touchpoints for the survey contributor).
    """

    def __init__(
        self, db: Database, *, seed: int, scale: DemoScale, progress: ProgressFn | None = None
    ) -> None:
        self.db = db
        self.seed = seed
        self.scale = scale
        self.reference_date = REFERENCE_DATE
        self.rng = random.Random(seed)
        self.organisations: dict[str, Organisation] = {}
        self.users_by_role: dict[Role, list[User]] = {role: [] for role in Role}
        self.shared: dict[str, Any] = {}
        self.counts: Counter[str] = Counter()
        self._main_slug: str | None = None
        self._progress = progress

    @property
    def organisation(self) -> Organisation:
        """The main demo organisation (the events company)."""
        if self._main_slug is None:
            raise RuntimeError("no demo organisation yet: the foundation contributor runs first")
        return self.organisations[self._main_slug]

    def add_organisation(self, organisation: Organisation, *, main: bool = False) -> None:
        self.organisations[organisation.slug] = organisation
        if main:
            self._main_slug = organisation.slug

    def progress(self, step: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(step, done, total)

    def write_in_batches(
        self,
        step: str,
        rows: Iterable[T],
        *,
        total: int,
        tenant: Tenant,
        write: Callable[[Session, Sequence[T]], None],
        batch_size: int = 1000,
    ) -> int:
        """Write ``rows`` (best a generator) ``batch_size`` at a time, one transaction each.

        Only one batch is held in memory. Returns how many rows were written and adds
        them to ``counts[step]``.
        """
        self.progress(step, 0, total)
        done = 0
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, batch_size)):
            with self.db.transaction(tenant) as session:
                write(session, batch)
            done += len(batch)
            self.progress(step, done, max(total, done))
        self.counts[step] += done
        return done


Run = Callable[[DemoContext], None]


@dataclass(frozen=True)
class Contributor:
    name: str
    order: int
    run: Run


_REGISTRY: dict[str, Contributor] = {}


def contributor(order: int, *, name: str | None = None) -> Callable[[Run], Run]:
    """Register a function that adds one capability's demo data.

    Lower ``order`` runs first: the foundation (organisations, staff) is 10; leave gaps
    (journeys 20, surveys 30, responses 40, text 50, cases 60…). The name seeds the
    contributor's randomness, so renaming one changes its data.
    """

    def register(run: Run) -> Run:
        key = name or f"{run.__module__}.{run.__qualname__}"
        _REGISTRY[key] = Contributor(key, order, run)
        return run

    return register


def contributors() -> list[Contributor]:
    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.name))


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    scale: DemoScale
    organisations: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def seed_demo(
    db: Database,
    *,
    size: DemoSize | int | DemoScale = "small",
    seed: int = 42,
    progress: ProgressFn | None = None,
) -> DemoSummary:
    """Generate the demo organisations into an empty, migrated database.

    Each contributor commits its own batches: if one fails, what came before stays, so
    callers should start from an empty database again (``kohtaamo demo --reset``).
    """
    scale = DemoScale.of(size)
    ctx = DemoContext(db, seed=seed, scale=scale, progress=progress)
    started = time.perf_counter()
    with frozen_at(REFERENCE_DATE):
        for item in contributors():
            ctx.rng = random.Random(f"{seed}:{item.name}")
            item.run(ctx)
    return DemoSummary(
        seed=seed,
        scale=scale,
        organisations=sorted(ctx.organisations),
        counts=dict(ctx.counts),
        seconds=time.perf_counter() - started,
    )
