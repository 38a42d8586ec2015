"""Settings read from the environment, each in a fresh interpreter (settings are read once per process):
one SQLite configuration whatever the URL, production refusing to start without real keys, and every
hardening switch readable from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = ("import json, gongzhi.settings as s; print(json.dumps({n: getattr(s, n) for n in %r}, default=str))")
# what a production environment sets; each test drops or changes what it is about
PRODUCTION = {"DEBUG": "0", "GONGZHI_DEV": "0", "SECRET_KEY": "prod-" + "0123456789abcdef" * 4, "FIELD_ENCRYPTION_KEY": "f" * 44}


def run_settings(env: dict, names: list[str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(
        ("DATABASE_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DEBUG", "GONGZHI_", "SECURE_", "SESSION_",
         "CSRF_", "SQLITE_"))}
    return subprocess.run([sys.executable, "-c", PROBE % (names,)], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=60)


def settings_of(env: dict, *names: str) -> dict:
    done = run_settings(env, list(names))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sqlite_by_url_gets_the_same_options_as_the_default(tmp_path):
    """WAL, IMMEDIATE transactions and the busy timeout whether SQLite is the default or named by
    DATABASE_URL: without them 100 filers got "database is locked" on most writes."""
    path = tmp_path / "x.sqlite3"
    default = settings_of({"GONGZHI_DEV": "1", "SQLITE_PATH": str(path)}, "DATABASES")["DATABASES"]["default"]
    by_url = settings_of({"GONGZHI_DEV": "1", "DATABASE_URL": f"sqlite:///{path}"}, "DATABASES")["DATABASES"]["default"]
    assert by_url["ENGINE"] == default["ENGINE"] == "django.db.backends.sqlite3"
    assert by_url["NAME"] == default["NAME"] == str(path)
    assert by_url["OPTIONS"] == default["OPTIONS"]
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in default["OPTIONS"]["init_command"]
    assert "busy_timeout" in default["OPTIONS"]["init_command"]


def test_sqlite_by_url_really_runs_in_wal(tmp_path):
    path = tmp_path / "y.sqlite3"
    code = ("import django; django.setup(); from django.db import connection; c = connection.cursor();"
            "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); c.execute('PRAGMA busy_timeout');"
            "print(c.fetchone()[0])")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**env, "DATABASE_URL": f"sqlite:///{path}",
                               "DJANGO_SETTINGS_MODULE": "gongzhi.settings"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["wal", "20000"]


# --- production refuses to start without real keys -------------------------------------------------

@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_a_key(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    done = run_settings(env, ["SECRET_KEY"])
    assert done.returncode != 0
    assert missing in done.stderr


def test_production_refuses_the_published_development_key():
    dev = settings_of({"DEBUG": "1"}, "SECRET_KEY")["SECRET_KEY"]
    done = run_settings({**PRODUCTION, "SECRET_KEY": dev}, ["SECRET_KEY"])
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_field_key_never_falls_back_to_the_secret_key_in_production():
    got = settings_of(PRODUCTION, "SECRET_KEY", "FIELD_ENCRYPTION_KEY")
    assert got["FIELD_ENCRYPTION_KEY"] == "f" * 44 != got["SECRET_KEY"]


def test_without_any_environment_production_is_refused():
    """No DEBUG, no GONGZHI_DEV: the safe default is to refuse, not to run on the published key."""
    done = run_settings({}, ["SECRET_KEY"])
    assert done.returncode != 0


@pytest.mark.parametrize("env", [{"DEBUG": "1"}, {"GONGZHI_DEV": "1"}])
def test_development_may_keep_the_development_key(env):
    got = settings_of(env, "SECRET_KEY", "FIELD_ENCRYPTION_KEY")
    assert got["SECRET_KEY"] and got["FIELD_ENCRYPTION_KEY"]


# --- hardening from the environment ----------------------------------------------------------------

def test_hardening_is_on_in_production_by_default():
    got = settings_of(PRODUCTION, "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                      "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER")
    assert got["SECURE_HSTS_SECONDS"] >= 31536000
    assert got["SECURE_SSL_REDIRECT"] is got["SESSION_COOKIE_SECURE"] is got["CSRF_COOKIE_SECURE"] is True
    assert got["SECURE_PROXY_SSL_HEADER"] is None  # only behind a proxy that says so


def test_hardening_switches_are_read_from_the_environment():
    got = settings_of({**PRODUCTION, "SECURE_HSTS_SECONDS": "600", "SECURE_SSL_REDIRECT": "0",
                       "SESSION_COOKIE_SECURE": "0", "SECURE_PROXY_SSL_HEADER": "1",
                       "CSRF_TRUSTED_ORIGINS": "https://gz.example.cn, https://b.example.cn",
                       "SESSION_ABSOLUTE_SECONDS": "3600", "GONGZHI_TRUSTED_PROXIES": "1"},
                      "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                      "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "SESSION_ABSOLUTE_SECONDS",
                      "GONGZHI_TRUSTED_PROXIES")
    assert got["SECURE_HSTS_SECONDS"] == 600
    assert got["SECURE_SSL_REDIRECT"] is got["SESSION_COOKIE_SECURE"] is False
    assert got["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["CSRF_TRUSTED_ORIGINS"] == ["https://gz.example.cn", "https://b.example.cn"]
    assert got["SESSION_ABSOLUTE_SECONDS"] == 3600
    assert got["GONGZHI_TRUSTED_PROXIES"] == 1


def test_check_deploy_has_no_security_warnings_in_production():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "GONGZHI_", "SECRET_KEY"))}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="gongzhi.settings", ALLOWED_HOSTS="gz.example.cn")
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    for warning in ("W004", "W008", "W009", "W012", "W016", "W018"):
        assert f"security.{warning}" not in out, out
