"""Start-up refuses nonsense; production passes `check --deploy` but for documented warnings.

Each case runs with a clean environment, as a container would. ``manage.py`` runs in a fresh
interpreter per case; the many ``python -c`` start-up cases go, one after another, to a single
fresh interpreter (``_StartUpBatch``) that imports the project's settings anew for each (the
``config`` package and Django's settings are dropped between cases), which saves starting
Python and importing every app some thirty times.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SETTINGS_DIR = REPO / "config" / "settings"
DEPLOYMENT_DOC = REPO / "docs" / "deployment.md"
ENV_EXAMPLE = REPO / ".env.example"

SETUP = "import django; django.setup()"
PRINT_SETTING = SETUP + "; from django.conf import settings; print(settings.{})"


def production_env(**overrides):
    """Everything production requires, with values nobody could mistake for real ones."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "symbio.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://symbio.example.com",
        # Nothing listens there: neither start-up nor `check --deploy` may connect.
        "DATABASE_URL": "postgres://symbio:symbio@127.0.0.1:9/symbio",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "STRIPE_SECRET_KEY": "sk_live_not_a_key",
        "STRIPE_WEBHOOK_SECRET": "whsec_not_a_secret",
        "EMAIL_URL": "smtp+tls://symbio:password@smtp.example.com:587",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


BASE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(REPO)}
# Compiled modules: scripts/test.sh keeps them outside the tree (PYTHONPYCACHEPREFIX); else none.
BASE_ENV |= (
    {"PYTHONPYCACHEPREFIX": os.environ["PYTHONPYCACHEPREFIX"]}
    if os.environ.get("PYTHONPYCACHEPREFIX")
    else {"PYTHONDONTWRITEBYTECODE": "1"}
)

# The interpreter behind ``_StartUpBatch``: for each request (a JSON line: environment and code)
# it replaces os.environ by the request's, forgets the ``config`` package and Django's settings,
# runs the code as ``python -c`` would and answers with the exit status and the output.
BATCH_SERVER = r"""
import contextlib, io, json, os, sys, traceback

answers = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    os.environ.clear()
    os.environ.update(request["env"])
    for name in [n for n in sys.modules if n == "config" or n.startswith("config.")]:
        del sys.modules[name]
    if "django.conf" in sys.modules:
        from django.utils.functional import empty
        sys.modules["django.conf"].settings._wrapped = empty  # also clears cached attributes
    out, err, status = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(compile(request["code"], "<string>", "exec"), {"__name__": "__main__"})
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            status = 1
    answers.write(json.dumps({"returncode": status, "stdout": out.getvalue(), "stderr": err.getvalue()}))
    answers.write("\n")
    answers.flush()
"""


class _StartUpBatch:
    """One fresh interpreter for this module's ``python -c`` start-up cases (see the docstring)."""

    process = None

    @classmethod
    def run(cls, code, env):
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen(
                [sys.executable, "-c", BATCH_SERVER],
                cwd=REPO,
                env=BASE_ENV,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        cls.process.stdin.write(json.dumps({"env": env, "code": code}) + "\n")
        cls.process.stdin.flush()
        answer = cls.process.stdout.readline()
        assert answer, "the start-up batch interpreter died"
        got = json.loads(answer)
        return subprocess.CompletedProcess(["-c", code], got["returncode"], got["stdout"], got["stderr"])

    @classmethod
    def close(cls):
        if cls.process is not None:
            cls.process.stdin.close()
            cls.process.wait(timeout=30)
            cls.process = None


@pytest.fixture(scope="module", autouse=True)
def _start_up_batch():
    yield
    _StartUpBatch.close()


def run(args, env):
    if args[0] == "-c":
        return _StartUpBatch.run(args[1], {**BASE_ENV, **env})
    env = {**BASE_ENV, **env}
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


# --- Booleans ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "module", ["config.settings.local", "config.settings.test", "config.settings.production"]
)
def test_a_boolean_that_is_not_one_stops_start_up_naming_it(module):
    env = production_env(DJANGO_SETTINGS_MODULE=module, DEBUG="maybe")
    result = run(["-c", SETUP], env)
    assert result.returncode != 0
    error = last_line(result.stderr)
    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert "DEBUG='maybe'" in error and "not a boolean" in error


def test_secure_ssl_redirect_is_a_strict_boolean_too():
    result = run(["-c", SETUP], production_env(SECURE_SSL_REDIRECT="sometimes"))
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in last_line(result.stderr)


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", "True"), ("0", "False"), ("Off", "False"), ("yes", "True")]
)
def test_booleans_accept_the_usual_spellings(raw, expected):
    result = run(["-c", PRINT_SETTING.format("SECURE_SSL_REDIRECT")], production_env(SECURE_SSL_REDIRECT=raw))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# --- Required production variables ------------------------------------------------------
def test_production_starts_with_the_required_environment():
    result = run(["-c", PRINT_SETTING.format("ALLOWED_HOSTS")], production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['symbio.example.com']"


@pytest.mark.parametrize(
    "variable",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "EMAIL_URL",
    ],
)
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_without_a_required_variable_names_it(variable, how):
    result = run(["-c", SETUP], production_env(**{variable: None if how == "unset" else ""}))
    assert result.returncode != 0
    error = last_line(result.stderr)
    assert error.startswith("django.core.exceptions.ImproperlyConfigured")
    assert variable in error


@pytest.mark.parametrize("weak", ["change-me", "short-key", "a" * 64, "django-insecure-" + "abcdefghij" * 5])
def test_production_refuses_a_placeholder_or_weak_secret_key(weak):
    result = run(["-c", SETUP], production_env(SECRET_KEY=weak))
    assert result.returncode != 0
    assert "SECRET_KEY" in last_line(result.stderr)


def test_secret_key_file_is_honoured(tmp_path):
    key = secrets.token_urlsafe(50)
    path = tmp_path / "secret_key"
    path.write_text(key + "\n")
    env = production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(path))
    result = run(["-c", PRINT_SETTING.format("SECRET_KEY")], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_secret_file_wins_over_the_variable(tmp_path):
    path = tmp_path / "webhook_secret"
    path.write_text("whsec_from_file")
    env = production_env(STRIPE_WEBHOOK_SECRET="whsec_from_env", STRIPE_WEBHOOK_SECRET_FILE=str(path))
    result = run(["-c", PRINT_SETTING.format("STRIPE_WEBHOOK_SECRET")], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "whsec_from_file"


def test_unreadable_secret_file_names_the_variable(tmp_path):
    env = production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(tmp_path / "missing"))
    result = run(["-c", SETUP], env)
    assert result.returncode != 0
    error = last_line(result.stderr)
    assert "SECRET_KEY_FILE" in error and "cannot be read" in error


# --- check --deploy ------------------------------------------------------------------
def documented_deploy_warnings():
    """Warning ids listed in docs/deployment.md under "Accepted `check --deploy` warnings"."""
    text = DEPLOYMENT_DOC.read_text()
    match = re.search(r"^## Accepted `check --deploy` warnings$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "docs/deployment.md lacks the section 'Accepted `check --deploy` warnings'"
    return set(re.findall(r"`([a-z_]+\.[WE]\d{3})`", match.group(1)))


def test_check_deploy_reports_only_documented_warnings():
    result = run(
        ["manage.py", "check", "--deploy", "--settings=config.settings.production"], production_env()
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    reported = set(re.findall(r"\(([a-z_]+\.[WE]\d{3})\)", output))
    assert reported <= documented_deploy_warnings(), output
    assert "ERRORS:" not in output


def test_check_deploy_flags_an_unsafe_override():
    # The test is only as good as its ability to see a warning: turning HTTPS redirects off
    # must surface security.W008.
    env = production_env(SECURE_SSL_REDIRECT="false")
    result = run(["manage.py", "check", "--deploy", "--settings=config.settings.production"], env)
    assert "security.W008" in result.stdout + result.stderr


# --- .env.example --------------------------------------------------------------------
def variables_read_by_settings():
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        if path.name.startswith("test"):  # read only from what the test runner sets
            continue
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    return names


def test_env_example_lists_every_variable_the_settings_read():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))
    read = variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "STRIPE_WEBHOOK_SECRET"} <= read  # the scan works
    assert read - listed == set()


def test_env_example_is_refused_until_edited():
    # Copying .env.example without editing it must not start a production site.
    values = dict(
        re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), re.M),
    )
    result = run(["-c", SETUP], {**values, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in last_line(result.stderr)
