"""Alembic environment: runs migrations on the configured engine, batch mode for SQLite."""

from __future__ import annotations

from alembic import context

from kohtaamo.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from kohtaamo.storage.engine import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as conn:
            _migrate(conn)
            conn.commit()
        engine.dispose()
    else:
        _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        user_module_prefix="kohtaamo.storage.types.",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
