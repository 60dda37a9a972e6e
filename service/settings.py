"""One typed settings object, read from the environment (prefix ``MEDIAMONITOR_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")
ReprintPolicy = Literal["regional_of_national", "story"]


class Settings(BaseSettings):
    """Every setting the service reads. Components receive the values they need as arguments."""

    model_config = SettingsConfigDict(
        env_prefix="MEDIAMONITOR_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Folder for the embedded database.")
    database_url: str = Field(
        "",
        description="SQLAlchemy URL; empty means a SQLite file in the data folder.",
    )
    timezone: str = Field("Europe/Amsterdam", description="Time zone for dates and counts.")
    user_agent: str = Field(
        "mediamonitor/0.1 (+https://github.com/mediamonitor/mediamonitor; media monitoring)",
        description="User-Agent sent with every request; include a contact URL.",
    )
    http_connect_timeout: float = Field(5.0, gt=0, description="Seconds to connect.")
    http_read_timeout: float = Field(10.0, gt=0, description="Seconds between bytes.")
    http_deadline: float = Field(30.0, gt=0, description="Seconds for a whole request.")
    http_max_body_bytes: int = Field(
        10_000_000, gt=0, description="Largest body accepted, after decompression."
    )
    http_max_redirects: int = Field(5, ge=0, description="Redirects followed per request.")
    http_concurrency: int = Field(16, gt=0, description="Requests in flight in all.")
    http_per_host_concurrency: int = Field(2, gt=0, description="Requests in flight per host.")
    http_per_host_delay: float = Field(0.0, ge=0, description="Seconds between requests to a host.")
    watchlist_file: Path | None = Field(
        None, description="Watchlist YAML of the organisation to monitor; empty: the Rapporteur."
    )

    allow_private_addresses: bool = Field(
        False, description="Let hand-added URLs reach private and loopback addresses (tests)."
    )
    collect_processes: int | None = Field(
        None,
        ge=1,
        description="Processes a large `mediamonitor collect` runs in; empty: one per CPU.",
    )
    extract_workers: int | None = Field(
        None, ge=0, description="Processes extracting pages; empty: one per CPU, 0: inline."
    )
    scheduler_tick_seconds: int = Field(
        60, gt=0, description="How often the scheduler looks for due sources."
    )
    scheduler_lease_seconds: int = Field(
        90, gt=0, description="How long a scheduler's lease lasts without renewal."
    )
    reprint_policy: ReprintPolicy = Field(
        "regional_of_national", description="Which items count as reprints."
    )
    api_host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    api_port: int = Field(8000, gt=0, lt=65536, description="Port `serve` listens on.")
    smtp_host: str = Field("", description="SMTP server for the digest; empty disables e-mail.")
    smtp_port: int = Field(25, gt=0, lt=65536, description="SMTP port.")
    smtp_username: str = Field("", description="SMTP user name, if the server needs one.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password.")
    smtp_sender: str = Field("mediamonitor@localhost", description="From address of e-mails.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("watchlist_file")
    @classmethod
    def _readable_watchlist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no watchlist file at {value}")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:// and postgresql+psycopg:// URLs are supported")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'mediamonitor.sqlite3'}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SettingsError(Exception):
    """Settings could not be read; the message lists every invalid variable."""


def load_settings() -> Settings:
    """Read the settings, turning validation errors into one readable message."""
    try:
        return Settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = "MEDIAMONITOR_" + "_".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"  {name}: {problem['msg']}")
        raise SettingsError("invalid settings:\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once."""
    return load_settings()
