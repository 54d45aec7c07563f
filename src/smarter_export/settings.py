"""Every limit and address of the service, in one settings class (env prefix SMARTER_EXPORT_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
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
    excel_rows_per_sheet: int = Field(
        default=1_048_575,
        ge=10,
        le=1_048_575,
        description="Data rows per Excel sheet before a continuation sheet starts.",
    )
    csv_byte_order_mark: bool = Field(
        default=True, description="Start CSV files with a UTF-8 BOM so Excel reads them right."
    )
    pdf_confidentiality_notice: str = Field(
        default="Confidential: contains privileged and confidential client information.",
        description="Footer printed on every PDF page.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'smarter_export.db').resolve()}"

    def max_rows_for(self, format_name: str) -> int:
        return {
            "csv": self.max_rows_csv,
            "excel": self.max_rows_excel,
            "pdf": self.max_rows_pdf,
        }[format_name]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
