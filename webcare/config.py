"""Typed settings for Webcare: defaults < TOML file < WEBCARE_* environment variables.

This is the only module that reads the environment. `load_settings()` validates every key and fails
fast with a `ConfigError` that names the offending key. Every key is documented in `config.example.toml`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from webcare.storable import is_storable

log = logging.getLogger(__name__)

ENV_PREFIX = "WEBCARE_"
ENVIRONMENTS = ("development", "test", "production")
LANGUAGES = ("nl", "en")


class ConfigError(ValueError):
    """Invalid configuration; `key` names the setting that is wrong."""

    def __init__(self, key: str, message: str):
        super().__init__(f"config key '{key}': {message}")
        self.key = key


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    encryption_keys: tuple[str, ...] = ()
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    base_url: str = "http://127.0.0.1:5000"
    host: str = "127.0.0.1"
    port: int = 5000
    instance_path: str = "instance"
    log_level: str = "INFO"
    log_format: str = "text"
    session_cookie_secure: bool | None = None
    login_max_failures: int = 5
    login_window_seconds: int = 900
    api_rate_limit_per_minute: int = 600
    api_rate_limit_per_ip_per_minute: int = 1200
    web_request_slots: int = 1  # requests a web worker runs at once, the others wait in order (0: no limit)
    list_cache_seconds: float = 2.0  # a ticket list page is served again while nothing was written (0: off)
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto/-Host are believed
    metrics_token: str = ""
    metrics_allowed_ips: tuple[str, ...] = ("127.0.0.1", "::1")
    readiness_required: tuple[str, ...] = ("database", "redis")
    reopen_days: int = 14
    retention_days: int = 365
    ingest_batch_size: int = 200
    poll_sweep_seconds: int = 10
    job_heartbeat_seconds: int = 10  # a running job's heartbeat; 3 missed beats and its worker counts as dead
    recovery_sweep_seconds: int = 60  # how often abandoned jobs and stuck replies are looked for
    stuck_reply_seconds: int = 120  # a reply queued/sending or a webhook delivery unprocessed this long: lost job?
    acknowledgement_max_wait_seconds: int = 3600  # an acknowledgement not out by then is not sent (0: always)
    mastodon_dm_requests: str = "accept"
    demo_feed: bool = True
    demo_feed_interval_seconds: float = 8.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "webcare@gemeente.example"
    smtp_starttls: bool = True
    two_factor_required_roles: tuple[str, ...] = ("admin", "manager")
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def instance_dir(self) -> Path:
        return Path(self.instance_path).resolve()

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.base_url.startswith("https://")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_KEYS = {f.name: f for f in fields(Settings) if f.name != "extra"}


def load_settings(
    environ: Mapping[str, str] | None = None,
    config_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build validated settings from defaults, a TOML file, the environment and explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = _config_file(environ, config_path)
    if path is not None:
        values.update(_read_toml(path))
    values.update(_read_env(environ))
    values.update(overrides or {})
    coerced = {key: _coerce(key, value) for key, value in values.items()}
    settings = Settings(**coerced)
    settings = _fill_defaults(settings)
    _validate(settings)
    return settings


def _config_file(environ: Mapping[str, str], explicit: str | Path | None) -> Path | None:
    if explicit:
        path = Path(explicit)
    elif environ.get("WEBCARE_CONFIG"):
        path = Path(environ["WEBCARE_CONFIG"])
    else:
        path = Path("config.toml")
        return path if path.is_file() else None
    if not path.is_file():
        raise ConfigError("WEBCARE_CONFIG", f"config file {path} does not exist")
    return path


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("WEBCARE_CONFIG", f"{path} is not valid TOML: {exc}") from exc
    for key in data:
        if key not in _KEYS:
            raise ConfigError(key, f"unknown setting in {path}")
    return data


def _read_env(environ: Mapping[str, str]) -> dict[str, str]:
    found = {}
    for name, value in environ.items():
        if name.startswith(ENV_PREFIX):
            key = name[len(ENV_PREFIX):].lower()
            if key in _KEYS:
                found[key] = value
    return found


def _coerce(key: str, value: Any) -> Any:
    if key not in _KEYS:
        raise ConfigError(key, "unknown setting")
    kind = _KEYS[key].type
    try:
        if kind == "int":
            return _to_int(value)
        if kind == "float":
            return _to_float(value)
        if kind in ("bool", "bool | None"):
            return None if value in (None, "") and kind != "bool" else _to_bool(value)
        if kind == "tuple[str, ...]":
            return _to_tuple(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, f"cannot use {value!r}: {exc}") from exc
    if not isinstance(value, str):
        raise ConfigError(key, f"expected text, got {value!r}")
    if not is_storable(value):  # a path or URL with them fails deep inside os or a driver
        raise ConfigError(key, "contains a NUL or an undecodable character")
    return value


def _to_float(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):  # "nan" passes every `<= 0` check
        raise ValueError("expected a finite number")
    return number


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):  # TOML's inf, nan, 1.5
        raise ValueError("expected a whole number")
    return int(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _to_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("expected a list of strings")


def _fill_defaults(settings: Settings) -> Settings:
    changes: dict[str, Any] = {}
    if not settings.database_url:
        changes["database_url"] = f"sqlite:///{settings.instance_dir / 'webcare.db'}"
    if settings.env == "development":
        if not settings.secret_key:
            changes["secret_key"] = _dev_secret(settings, "secret_key", lambda: secrets.token_urlsafe(48))
        if not settings.encryption_keys:
            changes["encryption_keys"] = (_dev_secret(settings, "encryption_key", _new_fernet_key),)
    return settings.replace(**changes) if changes else settings


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _dev_secret(settings: Settings, name: str, make) -> str:
    """Development only: keep a generated secret under instance/ so sessions and data survive restarts."""
    path = settings.instance_dir / name
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    log.warning("development: generated %s and stored it in %s; set it explicitly outside development", name, path)
    return value


_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]{1,32}(/[A-Za-z0-9_+-]{1,32}){0,2}")  # Europe/Amsterdam, Etc/GMT+1, UTC


def _validate(settings: Settings) -> None:
    if settings.env not in ENVIRONMENTS:
        raise ConfigError("env", f"must be one of {', '.join(ENVIRONMENTS)}")
    if settings.language not in LANGUAGES:
        raise ConfigError("language", f"must be one of {', '.join(LANGUAGES)}")
    try:
        if not _ZONE_NAME.fullmatch(settings.timezone):  # ZoneInfo("a.b.c...") recurses in importlib
            raise ValueError("not a time zone name")
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError("timezone", f"unknown time zone {settings.timezone[:80]!r}") from exc
    if len(settings.secret_key) < 16:
        raise ConfigError("secret_key", "required outside development, at least 16 characters")
    if not settings.encryption_keys:
        raise ConfigError("encryption_keys", "required outside development (generate one with `webcare keys new`)")
    _validate_fernet_keys(settings.encryption_keys)
    _validate_url("database_url", settings.database_url, ("sqlite", "postgresql", "postgresql+psycopg"))
    if settings.redis_url:
        _validate_url("redis_url", settings.redis_url, ("redis", "rediss", "unix"))
    elif settings.is_production:
        raise ConfigError("redis_url", "required in production (the embedded server is for development)")
    _validate_url("base_url", settings.base_url, ("http", "https"))
    _validate_numbers(settings)
    if settings.mastodon_dm_requests not in ("accept", "policy", "ignore"):
        raise ConfigError("mastodon_dm_requests", "must be accept, policy or ignore")
    unknown_roles = set(settings.two_factor_required_roles) - {"agent", "department", "manager", "admin"}
    if unknown_roles:
        raise ConfigError("two_factor_required_roles", f"unknown role(s): {', '.join(sorted(unknown_roles))}")
    unknown_checks = set(settings.readiness_required) - {"database", "redis", "workers", "scheduler"}
    if unknown_checks:
        raise ConfigError("readiness_required", f"unknown check(s): {', '.join(sorted(unknown_checks))}; "
                                                "use database, redis, workers, scheduler")
    _validate_ips(settings.metrics_allowed_ips)
    if settings.log_format not in ("text", "json"):
        raise ConfigError("log_format", "must be text or json")
    if logging.getLevelName(settings.log_level.upper()) not in (10, 20, 30, 40, 50):
        raise ConfigError("log_level", "must be DEBUG, INFO, WARNING, ERROR or CRITICAL")


def _validate_ips(entries: tuple[str, ...]) -> None:
    import ipaddress

    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ConfigError("metrics_allowed_ips", f"not an IP address or network: {entry!r}") from exc


def _validate_fernet_keys(keys: tuple[str, ...]) -> None:
    from cryptography.fernet import Fernet

    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ConfigError("encryption_keys", "each key must be a 32-byte url-safe base64 Fernet key") from exc


def _validate_url(key: str, url: str, schemes: tuple[str, ...]) -> None:
    try:
        scheme = urlparse(url).scheme
    except ValueError as exc:  # "http://[::1" (Invalid IPv6 URL)
        raise ConfigError(key, f"not a URL: {exc}") from exc
    if scheme not in schemes:
        raise ConfigError(key, f"scheme {scheme or '(none)'!r} not supported; use one of {', '.join(schemes)}")


def _validate_numbers(settings: Settings) -> None:
    positive = ("port", "login_max_failures", "login_window_seconds", "reopen_days", "retention_days",
                "ingest_batch_size", "poll_sweep_seconds", "smtp_port",
                "job_heartbeat_seconds", "recovery_sweep_seconds", "stuck_reply_seconds")
    for key in positive:
        if getattr(settings, key) <= 0:
            raise ConfigError(key, "must be a positive number")
    for key in ("api_rate_limit_per_minute", "api_rate_limit_per_ip_per_minute", "acknowledgement_max_wait_seconds"):
        if getattr(settings, key) < 0:
            raise ConfigError(key, "must be 0 (no limit) or a positive number")
    if not 0 <= settings.web_request_slots <= 64:
        raise ConfigError("web_request_slots", "must be 0 (no limit) to 64: requests a web worker runs at once")
    if not 0 <= settings.trusted_proxies <= 5:
        raise ConfigError("trusted_proxies", "must be 0 (no proxy) to 5: the number of reverse proxies in front")
    if settings.port > 65535:
        raise ConfigError("port", "must be at most 65535")
    if not 0 <= settings.list_cache_seconds <= 10:
        raise ConfigError("list_cache_seconds", "must be 0 (off) to 10 seconds")
    if settings.demo_feed_interval_seconds <= 0:
        raise ConfigError("demo_feed_interval_seconds", "must be a positive number")
