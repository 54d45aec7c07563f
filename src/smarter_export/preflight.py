"""What a process checks before it starts work, so that a wrong setup is one line, not a
traceback: the database (reachable, migrated), the data folder, the queue, the file storage and
the PDF fonts. Each check raises `SetupError` naming the thing and what to do about it.

The CLI turns a `SetupError`, and the same faults met later (`explain`), into that one line.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from smarter_export.domain.schema import schema_revisions
from smarter_export.errors import ExportError, SetupError
from smarter_export.settings import Settings
from smarter_export.storage.base import FileStorage

if TYPE_CHECKING:  # the CLI's export checks its database here, and needs no queue or PDF font
    from smarter_export.jobs.queue import ExportQueue

MIGRATE = "run `smarter-export migrate` (or `smarter-export demo-data` for a demo firm)"


def database_name(url: str) -> str:
    """The database as a person recognises it, without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"database in the SQLite file {parsed.database}"
    return f"database at {parsed.render_as_string(hide_password=True)}"


def check_database(engine: Engine) -> None:
    """Reachable and at the newest schema."""
    name = database_name(engine.url.render_as_string(hide_password=False))
    try:
        current, head = schema_revisions(engine)
    except DBAPIError as error:
        raise explain_database(engine.url.render_as_string(hide_password=False), error) from error
    if current is None:
        raise SetupError(f"The {name} has no schema: {MIGRATE}.")
    if current != head:
        raise SetupError(
            f"The {name} is at schema {current}, this version needs {head}: "
            "run `smarter-export migrate`."
        )


def explain_database(url: str, error: DBAPIError) -> SetupError:
    """A database fault met at any point, as one line naming the database."""
    reason = _first_line(error.orig) if error.orig else type(error).__name__
    if "no such table" in reason or "does not exist" in reason:
        return SetupError(f"The {database_name(url)} has no schema ({reason}): {MIGRATE}.")
    return SetupError(f"Cannot use the {database_name(url)}: {reason}.")


def check_data_dir(settings: Settings) -> None:
    folder = settings.data_dir
    try:
        _write_probe(folder / f".probe-{os.getpid()}")
    except OSError as error:
        raise SetupError(
            f"Cannot write the data folder {folder.resolve()} ({_reason(error)}): "
            "give the service a folder it may write with SMARTER_EXPORT_DATA_DIR."
        ) from error


def check_output(path: Path) -> None:
    """The folder of a file the CLI is asked to write can take it."""
    try:
        _write_probe(path.parent / f".{path.name}.{os.getpid()}.probe")
    except OSError as error:
        raise SetupError(f"Cannot write {path} ({_reason(error)}).") from error


def check_queue(queue: ExportQueue, settings: Settings) -> None:
    try:
        queue.check()
    except Exception as error:  # redis-py, sqlite3: whatever the queue's client raises
        where = settings.queue_url or f"SQLite file {settings.data_dir / 'queue.db'}"
        raise SetupError(
            f"Cannot reach the queue at {_without_password(where)}: {_first_line(error)}; "
            "check SMARTER_EXPORT_QUEUE_URL."
        ) from error


def check_storage(storage: FileStorage, settings: Settings) -> None:
    try:
        storage.check()
    except (ExportError, OSError) as error:
        where = settings.storage_url or f"folder {settings.data_dir / 'files'}"
        reason = error.message.rstrip(".") if isinstance(error, ExportError) else _reason(error)
        raise SetupError(
            f"Cannot use the file storage {where}: {reason}; check SMARTER_EXPORT_STORAGE_URL "
            "(and the AWS_* variables for S3)."
        ) from error


def check_service(
    settings: Settings, engine: Engine, queue: ExportQueue, storage: FileStorage
) -> None:
    """Everything `serve` and `worker` need before they take a request or an export."""
    check_data_dir(settings)
    check_database(engine)
    check_queue(queue, settings)
    check_storage(storage, settings)
    check_fonts()


def check_fonts() -> None:
    from reportlab.pdfbase.ttfonts import TTFError

    from smarter_export.formats.pdf_text import register_fonts

    try:
        register_fonts()
    except (OSError, TTFError) as error:
        raise explain_fonts(error) from error


def explain_fonts(error: BaseException) -> SetupError:
    return SetupError(
        f"The PDF fonts are missing from this installation ({_first_line(error)}): "
        "reinstall smarter-export."
    )


def _write_probe(probe: Path) -> None:
    """Make the folder and a file in it, then remove the file: what writing there needs."""
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_bytes(b"")
    probe.unlink()


def _reason(error: OSError) -> str:
    return error.strerror or os.strerror(error.errno or errno.EIO)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].rstrip(".") if text else type(error).__name__


def _without_password(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
