"""/healthz: 200 with every check ok; 503 naming the check that failed; JSON shape stable."""

import socket

import pytest
from django.db import OperationalError

from core import health

pytestmark = pytest.mark.django_db

CHECK_NAMES = {"database", "broker", "search"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_health(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == CHECK_NAMES
    for result in body["checks"].values():
        assert set(result) == {"status", "detail", "ms"}
        assert result["status"] in ("ok", "error")
        assert isinstance(result["detail"], str)
        assert isinstance(result["ms"], int | float) and result["ms"] >= 0
    return response, body


def failed(body):
    return {name for name, result in body["checks"].items() if result["status"] == "error"}


def test_healthy_test_setup_answers_200(client):
    response, body = get_health(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert failed(body) == set()
    assert body["checks"]["database"]["detail"] == "postgresql"


def test_broker_down_answers_503_naming_the_broker(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "error"
    assert failed(body) == {"broker"}
    assert body["checks"]["broker"]["detail"].startswith("ConnectionError")


def test_eager_without_broker_is_healthy(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    response, body = get_health(client)
    assert response.status_code == 200
    assert "eager" in body["checks"]["broker"]["detail"]


def test_database_down_answers_503_naming_the_database(client, monkeypatch):
    class Unreachable:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(health, "connection", Unreachable())
    response, body = get_health(client)
    assert response.status_code == 503
    assert failed(body) == {"database"}
    assert body["checks"]["database"]["detail"].startswith("OperationalError: connection to server")


def test_search_engine_down_answers_503_naming_search(client, settings):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{closed_port()}"
    response, body = get_health(client)
    assert response.status_code == 503
    assert failed(body) == {"search"}
    assert body["checks"]["search"]["detail"].startswith("ConnectionError")
    assert "degraded" in body["checks"]["search"]["detail"]  # search falls back to the database


def test_database_search_engine_reported_when_no_elasticsearch(client, settings):
    settings.ELASTICSEARCH_URL = ""
    _, body = get_health(client)
    assert body["checks"]["search"] == {
        **body["checks"]["search"],
        "status": "ok",
        "detail": "database engine",
    }


def test_long_error_details_are_truncated(client, monkeypatch):
    def noisy():
        raise RuntimeError("x" * 5000)

    monkeypatch.setitem(health.CHECKS, "search", noisy)
    response, body = get_health(client)
    assert response.status_code == 503
    assert len(body["checks"]["search"]["detail"]) <= 300


def test_never_cached_and_get_only(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_served_without_language_prefix_for_any_browser(client_en):
    # Load balancers probe /healthz as is; the i18n redirect must not apply.
    assert client_en.get("/healthz").status_code == 200
