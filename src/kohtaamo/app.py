"""The application factory: the one place where the parts are wired together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kohtaamo import __version__
from kohtaamo.analytics import text_comments
from kohtaamo.analytics.tasks import start_background_sync, stop_background_sync
from kohtaamo.api.v1.router import router as api_router
from kohtaamo.cases import links as case_links
from kohtaamo.cases import tasks as case_tasks
from kohtaamo.cases import webhook_events
from kohtaamo.config import Settings, get_settings
from kohtaamo.errors import KohtaamoError
from kohtaamo.http import problems
from kohtaamo.http.middleware import BodySizeLimit, LocaleAndSecurityHeaders
from kohtaamo.jobs.runner import Runner
from kohtaamo.journeys import ingest
from kohtaamo.journeys.analytics import database_loader, observe_ingestion
from kohtaamo.journeys.pathstore import PathStore
from kohtaamo.storage.db import Database
from kohtaamo.storage.engine import check_durability
from kohtaamo.surveys import responses
from kohtaamo.text import service as text_service
from kohtaamo.web.render import render_problem
from kohtaamo.web.router import router as web_router
from kohtaamo.web.routes.journeys_import import IMPORT_MAX_BYTES, IMPORT_PATH
from kohtaamo.web.routes.survey_import import IMPORT_PATH as SURVEY_IMPORT_PATH
from kohtaamo.web.routes.survey_import import UPLOAD_MAX_BYTES as SURVEY_UPLOAD_MAX_BYTES

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"

API_DESCRIPTION = """Kohtaamo's JSON API. Authenticate with an organisation's API key in the
`Authorization: Bearer kh_…` header (never in the URL). Errors are RFC 9457 problem
details (`application/problem+json`) with the wrong fields listed under `errors`."""


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = db or Database(settings.database_url)
    # Refuse to run on a database that would lose acknowledged writes.
    check_durability(db.engine)
    # Case rules: evaluated by jobs enqueued in the transaction that finishes a response
    # or stores comment analyses (registering twice keeps one).
    responses.on_finished(case_tasks.on_response_finished)
    text_service.on_analysed(case_tasks.on_comments_analysed)
    # The response.finished webhook, queued in the same transaction as the response.
    responses.on_finished(webhook_events.on_response_finished)
    # The customer's case links are absolute, from this application's base URL.
    case_links.configure(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = getattr(app.state, "job_runner", None)
        if runner is not None:
            runner.start()
        # Keep the in-memory customer paths up to date as events are stored.
        unsubscribe = ingest.subscribe(observe_ingestion(app.state.path_store))
        # Send the comments of finished responses to text analytics (its own job).
        unsubscribe_text = responses.subscribe(text_comments.observer(db))
        # Keep the analytics store in step with new responses (see analytics.tasks).
        analytics_syncer = start_background_sync(settings, db)
        try:
            yield
        finally:
            stop_background_sync(analytics_syncer, settings)
            unsubscribe_text()
            unsubscribe()
            if runner is not None:
                runner.stop()

    app = FastAPI(
        title="Kohtaamo",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        license_info={"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.render_html_problem = render_problem
    app.state.path_store = PathStore(database_loader(db))
    if settings.jobs_mode == "embedded":
        # Jobs run in this process (SQLite, demo); "worker" leaves them to `kohtaamo worker`.
        app.state.job_runner = Runner(db, settings)

    app.add_exception_handler(KohtaamoError, problems.handle_kohtaamo_error)
    app.add_exception_handler(RequestValidationError, problems.handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, problems.handle_http_exception)
    app.add_exception_handler(OperationalError, problems.handle_operational_error)
    app.add_exception_handler(Exception, problems.handle_unexpected)

    app.include_router(api_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Event files uploaded in the browser may be larger than any other request.
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_body_bytes,
        large_paths={
            IMPORT_PATH: max(IMPORT_MAX_BYTES, settings.max_body_bytes),
            SURVEY_IMPORT_PATH: max(SURVEY_UPLOAD_MAX_BYTES, settings.max_body_bytes),
        },
    )
    app.add_middleware(
        LocaleAndSecurityHeaders,
        default_locale=settings.default_locale,
        hsts=settings.cookie_secure,
    )
    return app
