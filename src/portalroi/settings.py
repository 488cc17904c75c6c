"""Settings in one place.

Every setting can be given as an environment variable ``PORTALROI_<NAME>`` (for example
``PORTALROI_DB=/data/portal.duckdb``) or in a ``.env`` file in the working directory. Command-line
options such as ``--db`` override them for one run.

Examples
--------
>>> from portalroi.settings import Settings
>>> Settings(db="x.duckdb").db.name
'x.duckdb'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

_DEV_SECRET = "dev-only-change-me"


class Settings(BaseSettings):
    """portalroi's settings; see ``docs/reference/settings.md`` for each one."""

    model_config = SettingsConfigDict(env_prefix="PORTALROI_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses unsafe defaults such as the development secret key.",
    )
    db: Path = Field(
        Path("portalroi.duckdb"),
        description="Path of the embedded DuckDB analytics store.",
    )
    demo_dir: Path = Field(
        Path("portalroi-demo"),
        description="Folder where `portalroi demo` writes the simulated exports and the truth file.",
    )
    ingest_batch_rows: int = Field(
        500_000,
        ge=1_000,
        description="Rows read per batch when streaming a large file into the store.",
    )
    ingest_memory_limit: str = Field(
        "1GB",
        description="DuckDB memory limit during ingestion (bounded memory on large files).",
    )
    currency: str = Field("USD", description="Default currency for amounts without one.")
    language: Literal["en", "sv"] = Field(
        "en", description="Default language of reports and pages."
    )
    app_db_url: str = Field(
        "sqlite:///portalroi-app.sqlite",
        description="SQLAlchemy URL of the app-state database (users, tokens, schedules).",
    )
    secret_key: str = Field(
        _DEV_SECRET,
        description="Key that signs sessions and webhooks. Must be changed in production.",
    )
    topics_backend: Literal["tfidf", "embeddings"] = Field(
        "tfidf",
        description="How tickets are grouped into topics by `portalroi topics`, the API and the "
        "dashboard: `tfidf` (TF-IDF + NMF) or `embeddings` (sentence embeddings + k-means; needs "
        "`pip install 'portalroi[embeddings]'`).",
    )
    llm_base_url: str | None = Field(
        None,
        description="Optional OpenAI-compatible endpoint (e.g. http://localhost:8000/v1) that "
        "rewords account summaries; never required, unset = data-built text only.",
    )
    llm_model: str | None = Field(
        None, description="Model name sent to `llm_base_url` for account-summary rewrites."
    )
    llm_api_key: str | None = Field(
        None, description="Bearer token for `llm_base_url`, if the endpoint needs one."
    )
    api_max_body_bytes: int = Field(
        10_000_000,
        ge=1_000,
        description="Largest HTTP request body the API accepts (bytes); larger ones get 413.",
    )
    api_max_batch_rows: int = Field(
        10_000,
        ge=1,
        description="Most rows one ingestion request (POST /api/v1/ingest/...) may carry.",
    )
    api_page_max: int = Field(
        1_000, ge=10, description="Largest `limit` a paginated API route accepts."
    )
    api_cache_seconds: float = Field(
        30.0,
        ge=0,
        description="How long computed metric results and finished answers of the dashboard "
        "pages and analytics routes are reused per user, tenant and parameters (0 turns the "
        "cache off); an ingestion clears both, any other write the finished answers.",
    )
    api_auth_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="How long a verified token or session is remembered for answers served "
        "from the cache; a revocation through the server applies at once, one made by another "
        "process within this time.",
    )
    session_hours: float = Field(
        12.0, gt=0, description="Lifetime of a signed-in browser session (hours)."
    )
    webhook_allow_private: bool = Field(
        False,
        description="Deliver alert webhooks to hosts on loopback, private or link-local "
        "addresses (an on-premises receiver). Off: such hosts are refused, so an organisation's "
        "admin cannot make the server post to the vendor's internal services.",
    )
    smtp_host: str | None = Field(
        None,
        description="SMTP server that scheduled reports are sent through (unset = schedules "
        "fail with a recorded error instead of sending).",
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="TCP port of `smtp_host`.")
    smtp_user: str | None = Field(
        None, description="User name for SMTP authentication (unset = no login)."
    )
    smtp_password: str | None = Field(None, description="Password for `smtp_user`.")
    smtp_from: str = Field(
        "portalroi@localhost", description="Sender address (From:) of scheduled report e-mails."
    )
    smtp_starttls: bool = Field(
        False, description="Upgrade the SMTP connection with STARTTLS before logging in."
    )
    smtp_ca_file: Path | None = Field(
        None,
        description="PEM file of the certificate authorities trusted for STARTTLS (unset = the "
        "system's); the server's certificate and host name are always verified.",
    )
    schedules_enabled: bool = Field(
        False,
        description="Let `portalroi serve` send due scheduled reports itself (checked every "
        "15 minutes); leave off when cron runs `portalroi schedules run-due` instead.",
    )

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "production" and self.secret_key == _DEV_SECRET:
            raise ValueError(
                "PORTALROI_SECRET_KEY must be set when PORTALROI_ENVIRONMENT=production"
            )
        return self


def get_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, with ``overrides`` (non-None values) on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)  # type: ignore[arg-type]
