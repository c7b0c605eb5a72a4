"""Every `webcare` command of the foundation: success, output, and exit code 2 on bad input."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from sqlalchemy import func, select

from tests import factories as f
from webcare.embedded import free_port
from webcare.models import ApiToken, Category, Department, SlaPolicy, User


def test_help_lists_the_commands(cli):
    result = cli("--help")
    for command in ("init-db", "seed-defaults", "create-user", "create-token", "demo", "run", "worker",
                    "scheduler", "check-config"):
        assert command in result.output


def test_init_db_is_idempotent(cli):
    result = cli("init-db")
    assert result.exit_code == 0


def test_seed_defaults_is_idempotent(cli, session):
    first = json.loads(cli("seed-defaults").output)
    assert first["added"]["departments"] == 12
    assert first["added"]["categories"] > 40
    second = json.loads(cli("seed-defaults").output)
    assert all(count == 0 for count in second["added"].values())
    assert session.scalar(select(func.count()).select_from(Department)) == 12
    assert session.scalar(select(func.count()).select_from(SlaPolicy)) == 1
    lamp = session.scalar(select(Category).where(Category.code == "wegen.straatverlichting"))
    assert (lamp.department.code, lamp.handling_target, lamp.handling_unit) == ("OVL", 21, "working_days")


def test_seed_keeps_admin_changes(cli, session):
    cli("seed-defaults")
    ow = session.scalar(select(Department).where(Department.code == "OW"))
    ow.name = "Beheer Openbare Ruimte"
    session.commit()
    cli("seed-defaults")
    session.expire_all()
    assert session.scalar(select(Department.name).where(Department.code == "OW")) == "Beheer Openbare Ruimte"


def test_create_user_with_password_stdin_can_log_in(cli, client):
    cli("seed-defaults")
    result = cli("create-user", "Otto@Voorbeeldstad.nl", "--role", "department", "--department", "OW",
                 "--password-stdin", input="een lang wachtwoord\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["email"] == "otto@voorbeeldstad.nl" and data["departments"] == ["OW"]
    assert f.login(client, "otto@voorbeeldstad.nl", "een lang wachtwoord").status_code == 302


@pytest.mark.parametrize(("args", "message"), [
    (["x@voorbeeldstad.nl", "--role", "department"], "needs at least one"),
    (["x@voorbeeldstad.nl", "--role", "agent", "--department", "NOPE"], "unknown department"),
    (["geen-email", "--role", "agent"], "not an e-mail address"),
])
def test_create_user_bad_input_exits_2(cli, args, message):
    cli("seed-defaults")
    result = cli("create-user", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_create_user_bad_role_exits_2(cli):
    assert cli("create-user", "x@voorbeeldstad.nl", "--role", "king").exit_code == 2


def test_create_user_duplicate_exits_2(cli):
    cli("create-user", "dup@voorbeeldstad.nl", "--role", "agent")
    result = cli("create-user", "dup@voorbeeldstad.nl", "--role", "manager")
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_create_user_short_password_exits_2(cli):
    result = cli("create-user", "k@voorbeeldstad.nl", "--role", "agent", "--password-stdin", input="kort\n")
    assert result.exit_code == 2


@pytest.mark.parametrize("password", [" " * 12, "aaaaaaaaaaaa", "abababababab", "1234567890", "0987654321",
                                      "qwertyuiop", "Wachtwoord123", "k@voorbeeldstad.nl", "Gemeente2026"])
def test_create_user_with_a_password_guessed_at_once_exits_2(cli, password):
    result = cli("create-user", "k@voorbeeldstad.nl", "--role", "agent", "--password-stdin", input=password + "\n")
    assert result.exit_code == 2 and "too easy to guess" in result.output


@pytest.mark.parametrize("password", ["een lang wachtwoord", "tijdelijk-wachtwoord", "Welkom in Voorbeeldstad 7"])
def test_create_user_with_a_long_password_of_words_is_fine(cli, password):
    result = cli("create-user", "k@voorbeeldstad.nl", "--role", "agent", "--password-stdin", input=password + "\n")
    assert result.exit_code == 0, result.output


def test_create_token_for_unknown_user_exits_2(cli):
    assert cli("create-token", "nobody@voorbeeldstad.nl").exit_code == 2


@pytest.mark.parametrize(("args", "message"), [
    ([f"{'a' * 300}@x.nl", "--role", "agent"], "longer than 254 characters"),
    (["x@@x.nl", "--role", "agent"], "not an e-mail address"),
    (["x@voorbeeldstad@x.nl", "--role", "agent"], "not an e-mail address"),
    (["@x.nl", "--role", "agent"], "not an e-mail address"),
    (["x@", "--role", "agent"], "not an e-mail address"),
    (["x@voorbeeldstad.nl", "--role", "agent", "--name", "n" * 500], "longer than 120 characters"),
])
def test_create_user_too_long_or_malformed_exits_2_without_a_traceback(cli, session, args, message):
    result = cli("create-user", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_names_a_department_once_however_often_it_is_given(cli):
    cli("seed-defaults")
    result = cli("create-user", "e2@voorbeeldstad.nl", "--role", "department", "--department", "OW",
                 "--department", "ow", "--department", " OW ")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["departments"] == ["OW"]


def test_create_user_in_a_switched_off_department_exits_2(cli, session):
    cli("seed-defaults")
    session.scalar(select(Department).where(Department.code == "RIO")).active = False
    session.commit()
    result = cli("create-user", "rio@voorbeeldstad.nl", "--role", "department", "--department", "RIO")
    assert result.exit_code == 2, result.output
    assert "switched off: RIO" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_token_with_a_too_long_name_exits_2_without_the_token(cli, session):
    cli("create-user", "t@voorbeeldstad.nl", "--role", "agent")
    result = cli("create-token", "t@voorbeeldstad.nl", "--name", "n" * 500)
    assert result.exit_code == 2, result.output
    assert "longer than 80 characters" in result.output
    assert "Traceback" not in result.output and "token_hash" not in result.output
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert cli("create-token", "t@voorbeeldstad.nl", "--name", "n" * 80).exit_code == 0


def test_create_token_for_a_deactivated_user_exits_2_without_a_token(cli, session):
    cli("create-user", "gone@voorbeeldstad.nl", "--role", "agent")
    user = session.scalar(select(User).where(User.email == "gone@voorbeeldstad.nl"))
    user.active = False
    session.commit()
    result = cli("create-token", "gone@voorbeeldstad.nl")
    assert result.exit_code == 2, result.output
    assert "deactivated" in result.output and "wc_" not in result.output
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_an_account_from_before_the_shape_check_can_still_be_named(cli, session):
    session.add(User(email="ops@localhost", role="agent", session_token="s" * 32))  # no dot in the domain
    session.commit()
    assert cli("create-token", " OPS@localhost").exit_code == 0


def test_demo_creates_logins(cli, session, client):
    result = cli("demo")
    data = json.loads(result.output)
    assert {role for _email, role in data["users"]} == {"agent", "department", "manager", "admin"}
    assert f.login(client, "agent@voorbeeldstad.nl", data["password"]).status_code == 302
    again = cli("demo")  # idempotent
    assert again.exit_code == 0
    assert session.scalar(select(func.count()).select_from(User)) == len(data["users"])


def test_check_config_masks_secrets(cli):
    result = cli("check-config")
    data = json.loads(result.output)
    assert data["ok"] is True
    assert data["settings"]["secret_key"] == "***"


def _env(settings, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBCARE_")}
    env.update({"WEBCARE_ENV": "test", "WEBCARE_SECRET_KEY": settings.secret_key,
                "WEBCARE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
                "WEBCARE_DATABASE_URL": settings.database_url, "WEBCARE_REDIS_URL": settings.redis_url,
                "WEBCARE_INSTANCE_PATH": settings.instance_path})
    env.update(extra)
    return env


def test_check_config_invalid_exits_2(settings):
    result = subprocess.run([sys.executable, "-m", "webcare", "check-config"], capture_output=True, text=True,
                            env=_env(settings, WEBCARE_PORT="vijfduizend"), timeout=60)
    assert result.returncode == 2
    assert "port" in result.stderr


def test_unreachable_database_is_one_line_on_stderr_not_a_traceback(settings):
    url = f"postgresql+psycopg://webcare:geheim@127.0.0.1:{free_port()}/webcare"  # nothing listens there
    result = subprocess.run([sys.executable, "-m", "webcare", "route", "--text", "hoi"], capture_output=True,
                            text=True, env=_env(settings, WEBCARE_DATABASE_URL=url), timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database at postgresql+psycopg://webcare:***@127.0.0.1:"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "geheim" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["init-db"], ["seed-defaults"], ["create-user", "u@voorbeeldstad.nl", "--role", "agent"],
                                  ["create-token", "u@voorbeeldstad.nl"], ["channels", "list"], ["rules", "list"],
                                  ["sla", "deadline", "--start", "2026-12-07T10:00:00+01:00", "--working-days", "1"]])
def test_every_database_command_reports_an_unreachable_database(settings, tmp_path, args):
    from click.testing import CliRunner

    from webcare.cli import Context, main

    ctx = Context()
    ctx._settings = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    result = CliRunner().invoke(main, args, obj=ctx, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: cannot reach the database at sqlite:///{tmp_path}/no/such/dir.db: ")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


@pytest.mark.parametrize("args", [["route", "--text", "container vol"], ["create-user", "u@voorbeeldstad.nl", "--role", "agent"],
                                  ["channels", "list"]])
def test_a_database_without_the_migrations_says_run_init_db(settings, tmp_path, args):
    from click.testing import CliRunner

    from webcare.cli import Context, main

    ctx = Context()
    ctx._settings = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(main, args, obj=ctx, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"error: the database at sqlite:///{tmp_path}/empty.db does not have the current schema: "
                             "run `webcare init-db`\n")


def test_unreachable_redis_is_one_line_on_stderr_not_a_traceback(settings):
    url = f"redis://:geheim@127.0.0.1:{free_port()}/0"  # nothing listens there
    result = subprocess.run([sys.executable, "-m", "webcare", "poll", "1"], capture_output=True, text=True,
                            env=_env(settings, WEBCARE_REDIS_URL=url), timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: cannot reach Redis at redis://:***@127.0.0.1:"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "geheim" not in result.stderr


def test_worker_burst_runs_queued_jobs(runtime, settings, session):
    from rq.job import Job

    from webcare.queue import JobSpec

    [job_id] = runtime.broker.enqueue_now([JobSpec(func="workers.maintenance.purge_login_attempts", queue="low")])
    result = subprocess.run([sys.executable, "-m", "webcare", "worker", "--burst", "--queues", "low"],
                            capture_output=True, text=True, env=_env(settings), timeout=120)
    assert result.returncode == 0, result.stderr
    assert runtime.broker.queue("low").count == 0
    assert Job.fetch(job_id, connection=runtime.redis).get_status() == "finished"


def test_scheduler_registers_periodic_jobs(settings, redis):
    from workers.cron import build_scheduler

    scheduler = build_scheduler(settings, redis)
    names = {job.func.__name__ for job in scheduler.get_jobs()}
    assert "purge_login_attempts" in names


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_starts_everything_and_stops_cleanly_on_ctrl_c(settings, tmp_path):
    """`webcare run` with the embedded store: ready, demo logins printed, and nothing left after SIGINT."""
    port = free_port()
    env = _env(settings, WEBCARE_ENV="development", WEBCARE_REDIS_URL="", WEBCARE_PORT=str(port),
               WEBCARE_INSTANCE_PATH=str(tmp_path), WEBCARE_DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}",
               WEBCARE_DEMO_FEED="false")
    proc = subprocess.Popen([sys.executable, "-m", "webcare", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        ready = _wait_ready(port, 60)
        assert ready, "webcare run did not become ready"
        store_port = _embedded_store_port(tmp_path)
        assert _listening(store_port)
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "agent@voorbeeldstad.nl" in output and f"http://127.0.0.1:{port}" in output
    assert not _listening(port)
    assert not _listening(store_port)


def _wait_ready(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def _embedded_store_port(instance) -> int:
    url = (instance / "valkey" / "url").read_text()
    return int(url.rsplit(":", 1)[1].split("/")[0])
