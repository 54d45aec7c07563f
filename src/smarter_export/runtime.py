"""The service's parts, built from settings once per process, the same way everywhere: the API
(`create_app`), the worker (`smarter-export worker`) and the tests take one `Runtime`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from huey.consumer import Consumer
from sqlalchemy import Engine

from smarter_export import metrics
from smarter_export.auth.secrets import ServiceSecrets, resolve_secrets
from smarter_export.domain.database import engine_for
from smarter_export.firm_settings.service import FirmSettingsService
from smarter_export.jobs import space
from smarter_export.jobs.maintenance import UpkeepReport, UpkeepThread, run_upkeep
from smarter_export.jobs.queue import ExportQueue, worker_name
from smarter_export.jobs.runner import ExportRunner
from smarter_export.jobs.service import ExportService
from smarter_export.mail.service import MailService
from smarter_export.schedules.service import ScheduleService
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage
from smarter_export.storage.factory import storage_for
from smarter_export.webhooks.service import WebhookService

if TYPE_CHECKING:
    from smarter_export.auth.tokens import TokenVerifier


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    storage: FileStorage
    queue: ExportQueue
    service: ExportService
    secrets: ServiceSecrets
    schedules: ScheduleService
    webhooks: WebhookService
    mail: MailService
    firm_settings: FirmSettingsService

    @cached_property
    def verifier(self) -> TokenVerifier:
        """Made when the API is (`create_app`): a worker verifies no token, and the JWT and
        cryptography libraries are about 20 MB of its memory."""
        from smarter_export.auth.tokens import TokenVerifier

        return TokenVerifier(self.settings, self.secrets)

    def runner(self) -> ExportRunner:
        return ExportRunner(
            settings=self.settings,
            engine=self.engine,
            storage=self.storage,
            enqueue=self.queue.enqueue,
            worker=worker_name(),
            rng=random.Random(),
        )

    def upkeep(self) -> UpkeepThread:
        return UpkeepThread(self.settings, self.sweep)

    def sweep(self) -> UpkeepReport:
        report = run_upkeep(self.settings, self.engine, self.storage, self.queue.enqueue)
        self.webhooks.sweep()  # after the upkeep: exports it ended are announced at once
        self.mail.sweep()
        return report

    def consumer(self) -> Consumer:
        return self.queue.consumer(self.runner().process)


def build_runtime(settings: Settings) -> Runtime:
    secrets = resolve_secrets(settings)
    engine = engine_for(settings)
    storage = storage_for(settings)
    metrics.watch_free_space(space.service_folders(settings, storage), space.readable_free_bytes)
    queue = ExportQueue(settings)
    service = ExportService(settings, engine, storage, queue, secrets.signing_secrets)
    return Runtime(
        settings,
        engine,
        storage,
        queue,
        service,
        secrets,
        ScheduleService(settings, engine, queue),
        WebhookService(settings, engine, secrets.signing_secrets),
        MailService(settings, engine, secrets.signing_secrets),
        FirmSettingsService(engine),
    )
