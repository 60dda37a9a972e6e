"""Settings: defaults, and invalid values stop start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.settings import Settings, SettingsError, load_settings


def test_defaults_use_embedded_sqlite_in_amsterdam(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MEDIAMONITOR_"):
            monkeypatch.delenv(name)
    settings = load_settings()
    assert settings.resolved_database_url == "sqlite:///var/mediamonitor.sqlite3"
    assert settings.timezone == "Europe/Amsterdam"
    assert "http" in settings.user_agent


def test_invalid_settings_name_every_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIAMONITOR_TIMEZONE", "Europe/Atlantis")
    monkeypatch.setenv("MEDIAMONITOR_HTTP_DEADLINE", "-3")
    monkeypatch.setenv("MEDIAMONITOR_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    for name in (
        "MEDIAMONITOR_TIMEZONE",
        "MEDIAMONITOR_HTTP_DEADLINE",
        "MEDIAMONITOR_DATABASE_URL",
    ):
        assert name in message
    assert "Europe/Atlantis" in message


def test_cli_refuses_to_start_with_bad_settings(tmp_path: Path) -> None:
    env = {**os.environ, "MEDIAMONITOR_TIMEZONE": "Mars/Olympus"}
    result = subprocess.run(
        [sys.executable, "-m", "service", "counts", "--year", "2025"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "MEDIAMONITOR_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_settings_are_immutable() -> None:
    settings = Settings()
    with pytest.raises(Exception, match="frozen"):
        settings.timezone = "UTC"  # type: ignore[misc]
