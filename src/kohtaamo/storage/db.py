"""The unit of work: whoever opens a transaction commits it; services only flush.

``Database.transaction()`` yields a session bound to one tenant (or none); it commits
when the block ends without an exception and rolls back otherwise. Callbacks registered
with :func:`after_commit` run only once the commit has succeeded, so e-mails and wake-ups
never leave for data that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from kohtaamo.storage.engine import make_engine
from kohtaamo.storage.tenancy import Tenant


class Database:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(kohtaamo_readonly=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, tenant: Tenant = None, *, readonly: bool = False) -> Iterator[Session]:
        factory = self._reader if readonly else self._writer
        with factory() as session:
            session.info["tenant"] = tenant
            try:
                yield session
                if readonly:
                    # Detach first: a rollback would expire what the block loaded, and
                    # readers return what they read.
                    session.expunge_all()
                    session.rollback()
                else:
                    session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` after this session's transaction commits; drop it on rollback."""
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the real commit is still to come
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
