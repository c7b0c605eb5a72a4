"""Configuration: precedence (defaults < TOML < environment < overrides) and validation naming the key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from webcare.config import ConfigError, load_settings

KEY = Fernet.generate_key().decode()
BASE = {"WEBCARE_SECRET_KEY": "s" * 32, "WEBCARE_ENCRYPTION_KEYS": KEY, "WEBCARE_ENV": "test"}


def write(tmp_path, body: str):
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults(tmp_path):
    settings = load_settings(environ={**BASE, "WEBCARE_INSTANCE_PATH": str(tmp_path)})
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.language == "nl"
    assert settings.redis_url == ""
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'webcare.db'}"


def test_toml_overrides_defaults_and_env_overrides_toml(tmp_path):
    path = write(tmp_path, 'language = "en"\nport = 6000\nbase_url = "https://webcare.example.nl"\n')
    settings = load_settings(environ={**BASE, "WEBCARE_PORT": "7000"}, config_path=path)
    assert settings.language == "en"  # from TOML
    assert settings.port == 7000  # env beats TOML
    assert settings.cookie_secure is True  # derived from the https base_url


def test_config_path_from_environment(tmp_path):
    path = write(tmp_path, 'timezone = "Europe/Brussels"\n')
    settings = load_settings(environ={**BASE, "WEBCARE_CONFIG": str(path)})
    assert settings.timezone == "Europe/Brussels"


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(environ={**BASE, "WEBCARE_CONFIG": str(tmp_path / "nope.toml")})
    assert err.value.key == "WEBCARE_CONFIG"


def test_explicit_overrides_win(tmp_path):
    path = write(tmp_path, "port = 6000\n")
    settings = load_settings(environ={**BASE, "WEBCARE_PORT": "7000"}, config_path=path, overrides={"port": 8000})
    assert settings.port == 8000


@pytest.mark.parametrize(("env", "key"), [
    ({"WEBCARE_PORT": "vijf"}, "port"),
    ({"WEBCARE_PORT": "0"}, "port"),
    ({"WEBCARE_LANGUAGE": "de"}, "language"),
    ({"WEBCARE_TIMEZONE": "Mars/Olympus"}, "timezone"),
    ({"WEBCARE_DATABASE_URL": "mysql://x"}, "database_url"),
    ({"WEBCARE_REDIS_URL": "http://x"}, "redis_url"),
    ({"WEBCARE_DEMO_FEED": "misschien"}, "demo_feed"),
    ({"WEBCARE_ENCRYPTION_KEYS": "not-a-key"}, "encryption_keys"),
    ({"WEBCARE_SECRET_KEY": "short"}, "secret_key"),
    ({"WEBCARE_ENV": "staging"}, "env"),
    ({"WEBCARE_LOG_LEVEL": "LOUD"}, "log_level"),
])
def test_invalid_values_name_the_key(env, key):
    with pytest.raises(ConfigError) as err:
        load_settings(environ={**BASE, **env})
    assert err.value.key == key
    assert key in str(err.value)


def test_unknown_toml_key_is_refused(tmp_path):
    path = write(tmp_path, 'databse_url = "sqlite://"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(environ=BASE, config_path=path)
    assert err.value.key == "databse_url"


def test_broken_toml_is_refused(tmp_path):
    path = write(tmp_path, "port = = 1\n")
    with pytest.raises(ConfigError):
        load_settings(environ=BASE, config_path=path)


def test_production_requires_secret_key_and_redis():
    env = {"WEBCARE_ENV": "production", "WEBCARE_ENCRYPTION_KEYS": KEY, "WEBCARE_REDIS_URL": "redis://x:6379/0"}
    with pytest.raises(ConfigError) as err:
        load_settings(environ=env)
    assert err.value.key == "secret_key"
    env = {**env, "WEBCARE_SECRET_KEY": "p" * 40, "WEBCARE_REDIS_URL": ""}
    with pytest.raises(ConfigError) as err:
        load_settings(environ=env)
    assert err.value.key == "redis_url"


def test_development_generates_and_keeps_secrets(tmp_path, caplog):
    env = {"WEBCARE_ENV": "development", "WEBCARE_INSTANCE_PATH": str(tmp_path)}
    first = load_settings(environ=env)
    assert (tmp_path / "secret_key").is_file()
    assert "generated secret_key" in caplog.text
    second = load_settings(environ=env)
    assert first.secret_key == second.secret_key
    assert first.encryption_keys == second.encryption_keys


def test_every_key_is_documented_in_the_example():
    from pathlib import Path

    from webcare.config import _KEYS

    example = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
    for key in _KEYS:
        assert f"{key} =" in example or f"# {key} =" in example, f"{key} missing from config.example.toml"


def test_example_config_loads(tmp_path):
    from pathlib import Path

    example = Path(__file__).parents[2] / "config.example.toml"
    settings = load_settings(environ={**BASE, "WEBCARE_INSTANCE_PATH": str(tmp_path)}, config_path=example)
    assert settings.timezone == "Europe/Amsterdam"
