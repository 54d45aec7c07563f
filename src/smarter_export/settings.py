"""Every limit and address of the service, in one settings class (env prefix SMARTER_EXPORT_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMARTER_EXPORT_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the SQLite database, the queue file and the exported files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the firm database; defaults to a SQLite file in data_dir.",
    )

    batch_size: int = Field(default=5_000, ge=100, le=100_000, description="Rows per batch.")
    max_rows_csv: int = Field(default=50_000_000, ge=1, description="Row cap of a CSV export.")
    max_rows_excel: int = Field(default=5_000_000, ge=1, description="Row cap of an Excel export.")
    max_rows_pdf: int = Field(default=50_000, ge=1, description="Row cap of a PDF export.")
    max_rows_jsonl: int = Field(
        default=50_000_000, ge=1, description="Row cap of a JSON Lines export."
    )
    max_rows_parquet: int = Field(
        default=50_000_000, ge=1, description="Row cap of a Parquet export."
    )
    max_rows_ledes: int = Field(
        default=50_000,
        ge=1,
        description="Invoice cap of a LEDES export: past it the export is refused, never cut.",
    )
    excel_rows_per_sheet: int = Field(
        default=1_048_575,
        ge=10,
        le=1_048_575,
        description="Data rows per Excel sheet before a continuation sheet starts.",
    )
    csv_byte_order_mark: bool = Field(
        default=True, description="Start CSV files with a UTF-8 BOM so Excel reads them right."
    )
    analytics_max_days: int = Field(
        default=3_660,
        ge=1,
        description="Longest period (days, both ends included) an analytics export may cover.",
    )
    pdf_confidentiality_notice: str = Field(
        default="Confidential: contains privileged and confidential client information.",
        description="Footer printed on every PDF page.",
    )

    # -- the service -------------------------------------------------------------------------
    environment: Literal["development", "production"] = Field(
        default="production",
        description="`development` allows placeholder secrets; never use it in production.",
    )
    queue_url: str | None = Field(
        default=None,
        description="redis://... for RedisHuey on many hosts; default SqliteHuey in data_dir.",
    )
    storage_url: str | None = Field(
        default=None,
        description="file:///folder or s3://bucket/prefix for exported files; default "
        "data_dir/files. S3's endpoint and credentials: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...",
    )
    storage_presign_seconds: int = Field(
        default=300,
        ge=10,
        le=3_600,
        description="Life of the object-storage URL a download redirects to (minted per click).",
    )
    s3_part_size_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=5 * 1024 * 1024,
        description="Multipart upload: files above this go up in parts of this size.",
    )
    s3_server_side_encryption: Literal["AES256", "aws:kms", ""] = Field(
        default="AES256", description="Server-side encryption requested per object; '' for none."
    )
    public_base_url: str | None = Field(
        default=None,
        description="Base of the download links handed out; default: the address the request "
        "came to (set it behind a proxy).",
    )
    signing_secrets: list[SecretStr] = Field(
        default_factory=list,
        description="Download-link secrets, newest first: links are signed with the first and "
        "accepted with any (rotation).",
    )
    link_ttl_seconds: int = Field(default=86_400, ge=1, description="Download link lifetime.")
    retention_seconds: int = Field(default=86_400, ge=1, description="How long files are kept.")
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 key (development).")
    jwt_public_key: str | None = Field(default=None, description="RS256 public key (PEM).")
    jwt_jwks_url: str | None = Field(default=None, description="RS256 keys from a JWKS URL.")
    jwt_issuer: str = Field(default="smarter-firms-auth", description="Expected `iss` of tokens.")
    jwt_audience: str = Field(default="smarter-firms-data-service", description="Expected `aud`.")
    job_time_limit_seconds: int = Field(default=3_600, ge=1, description="Per-export time limit.")
    max_attempts: int = Field(default=4, ge=1, le=20, description="Tries before an export fails.")
    retry_backoff_seconds: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles each try, with jitter."
    )
    retry_backoff_max_seconds: float = Field(
        default=300.0, gt=0, description="Longest retry delay."
    )
    lease_seconds: int = Field(
        default=60, ge=5, description="A claimed export is re-delivered if not renewed in this."
    )
    reaper_interval_seconds: int = Field(
        default=30, ge=1, description="How often lapsed jobs are re-delivered and expired files go."
    )
    low_disk_bytes: int = Field(
        default=500_000_000,
        ge=0,
        description=(
            "/readyz warns when a folder the service writes (data, tmp/, files, SQLite's sort)"
            " has fewer free bytes."
        ),
    )
    workers: int = Field(default=2, ge=1, le=64, description="Worker threads per consumer.")
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65_535,
        description="A `worker` serves its Prometheus metrics on this port (all interfaces); "
        "the API serves its own at /metrics.",
    )
    schedule_min_interval_seconds: int = Field(
        default=900,
        ge=60,
        description="A schedule's cron may not fire more often than this (tests lower it).",
    )
    webhook_max_attempts: int = Field(
        default=10, ge=1, le=30, description="Tries of one webhook message before it fails."
    )
    webhook_backoff_seconds: float = Field(
        default=60.0,
        gt=0,
        description="First retry delay of a webhook or an e-mail; doubled each try, with jitter "
        "(10 tries span 4 to 8.5 hours).",
    )
    webhook_backoff_max_seconds: float = Field(
        default=21_600.0,
        gt=0,
        description="Longest wait between two tries of a webhook or an e-mail.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="How long one webhook request may take."
    )
    webhook_allow_loopback: bool = Field(
        default=False,
        description="Let webhooks call http:// and loopback addresses (tests, development); "
        "private, link-local and metadata addresses stay refused.",
    )
    smtp_url: str | None = Field(
        default=None,
        pattern=r"^smtps?://[^/]+/?$",
        description="`smtp://host:587` (STARTTLS, required outside development) or "
        "`smtps://host:465`; unset: no e-mail is sent (the export's events say so).",
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server asks.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    mail_from: str = Field(
        default="Smarter Export <exports@smarterfirms.example>", description="The From: header."
    )
    mail_max_attempts: int = Field(
        default=10, ge=1, le=30, description="Tries of one e-mail before it is given up."
    )
    filter_choices_limit: int = Field(
        default=1_000, ge=1, le=10_000, description="Records offered at most for one id filter."
    )

    # -- protection ----------------------------------------------------------------------------
    rate_limit_per_user: str = Field(
        default="10/minute;200/hour",
        description="Export creations one user may make, e.g. `10/minute;200/hour`.",
    )
    rate_limit_per_tenant: str = Field(
        default="60/minute;2000/hour",
        description="Export creations one firm may make, all its users together.",
    )
    rate_limit_storage_url: str | None = Field(
        default=None,
        description="Where the counters live (`memory://`, `redis://...`); default: the Redis "
        "queue when the queue is Redis, else this process's memory.",
    )
    max_running_per_tenant: int = Field(
        default=2,
        ge=1,
        le=1_000,
        description="Exports of one firm that run at once; the rest wait their turn.",
    )
    fair_share_wait_seconds: float = Field(
        default=2.0, gt=0, description="How long an export waits before asking for a turn again."
    )

    @field_validator("rate_limit_per_user", "rate_limit_per_tenant")
    @classmethod
    def _a_rate_limit(cls, value: str, info: ValidationInfo) -> str:
        # BaseSettings validates defaults too: ours are left alone (the API parses them as it
        # starts), and the `limits` package, with asyncio and about 10 MB, is imported here
        # only for a value someone set: a CLI export never needs it (17 ms of its start).
        if info.field_name is not None and value == cls.model_fields[info.field_name].default:
            return value
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit; write e.g. 10/minute;200/hour"
            ) from None
        return value

    @property
    def resolved_rate_limit_storage_url(self) -> str:
        if self.rate_limit_storage_url:
            return self.rate_limit_storage_url
        if self.queue_url and self.queue_url.startswith(("redis://", "rediss://")):
            return self.queue_url
        return "memory://"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'smarter_export.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
