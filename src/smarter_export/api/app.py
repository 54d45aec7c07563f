"""The FastAPI application: routes, error envelope, middleware, and the in-process worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from smarter_export import __version__
from smarter_export.api import (
    chart_routes,
    choices,
    health,
    routes,
    schedule_routes,
    settings_routes,
    webhook_routes,
)
from smarter_export.api.docs import install_docs
from smarter_export.api.errors import install_error_handlers
from smarter_export.api.middleware import install_middleware
from smarter_export.api.openapi import camel_case_id, install_openapi
from smarter_export.api.rate_limit import CreationLimiter
from smarter_export.jobs.queue import start_beside
from smarter_export.log import get_logger
from smarter_export.runtime import Runtime, build_runtime
from smarter_export.settings import Settings
from smarter_export.web.pages import install_web

log = get_logger("smarter_export.api")

DESCRIPTION = """
Export a law firm's data (matters, clients, timekeepers, time entries, invoices, and the firm's
metrics) as CSV, Excel, PDF, JSON Lines or Parquet. Exports run in the background: create one
(`createExport`), poll its status for progress and an estimated completion time
(`getExportStatus`), then follow its signed `downloadUrl` (`downloadExport`). Every answer is
`{"data": ...}` or `{"error": {"code", "message", "details", "requestId", "timestamp"}}`.
"""


def create_app(
    settings: Settings, *, run_worker: bool = True, runtime: Runtime | None = None
) -> FastAPI:
    runtime = runtime or build_runtime(settings)
    runtime.verifier  # noqa: B018 - made now, so a service that cannot verify tokens never starts

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = runtime.consumer() if run_worker else None
        upkeep = runtime.upkeep() if run_worker else None
        if consumer is not None and upkeep is not None:
            # The workers run in threads; uvicorn keeps the signals and stops us through this
            # lifespan.
            start_beside(consumer)
            upkeep.start()
            log.info("worker.started", workers=settings.workers, in_process=True)
        try:
            yield
        finally:
            if consumer is not None and upkeep is not None:
                upkeep.stop()
                consumer.stop(graceful=True)
            runtime.engine.dispose()

    app = FastAPI(
        title="Smarter Export",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=camel_case_id,
        docs_url=None,  # served from the package by install_docs: no CDN
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.limiter = CreationLimiter(settings)
    install_error_handlers(app)
    install_middleware(app)
    app.include_router(schedule_routes.router)  # before `POST /{format}`
    app.include_router(webhook_routes.router)  # and this one too
    app.include_router(settings_routes.router)  # and this one
    app.include_router(routes.router)
    app.include_router(chart_routes.router)
    app.include_router(choices.router)
    app.include_router(health.router)
    install_web(app)
    install_docs(app)
    install_openapi(app)
    return app
