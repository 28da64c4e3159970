"""The Elasticsearch client, its time limits, and which of its errors are worth a retry.

Two budgets: index writes (tasks, ``reindex``) may wait ``ELASTICSEARCH_WRITE_TIMEOUT`` seconds
and retry three times; a search or suggestion waits ``ELASTICSEARCH_SEARCH_TIMEOUT`` (1.5 s) and
retries once, so a hung node holds a web worker about 3 s, not 40. After a search finds the
cluster unreachable, this process serves search from the database engine for
``ELASTICSEARCH_RETRY_AFTER`` seconds before trying again (no timeout paid per request).
"""

from __future__ import annotations

import time
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

# Statuses of an answer that mean "try again later", not "this request is wrong".
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class TransientIndexError(Exception):
    """A write Elasticsearch could not take now (rejected, overloaded, partly failed): retry."""


class IndexWriteError(Exception):
    """Documents Elasticsearch refused for good (e.g. a mapping conflict); ``failures`` says which."""

    def __init__(self, message: str, failures: list[dict]):
        super().__init__(message)
        self.failures = failures


def _node_class():
    name = getattr(settings, "ELASTICSEARCH_NODE_CLASS", "urllib3")
    return import_string(name) if "." in name else name


@lru_cache(maxsize=1)
def client():
    """The client for index writes and administration (longer timeout, three retries)."""
    from elasticsearch import Elasticsearch

    return Elasticsearch(
        settings.ELASTICSEARCH_URL,
        request_timeout=float(getattr(settings, "ELASTICSEARCH_WRITE_TIMEOUT", 30)),
        max_retries=3,
        retry_on_timeout=True,
        node_class=_node_class(),
    )


def search_client():
    """The same connection pool with a search's budget: a short timeout and one retry."""
    return client().options(
        request_timeout=float(getattr(settings, "ELASTICSEARCH_SEARCH_TIMEOUT", 1.5)),
        max_retries=1,
        retry_on_timeout=True,
    )


def error_type(exc) -> str:
    """``index_not_found_exception``, ``resource_already_exists_exception``, … of an API error,
    including the root causes (a clause-limit failure hides under ``search_phase_execution``)."""
    body = getattr(exc, "body", None)
    types = []
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            types.append(str(error.get("type", "")))
            types.extend(str(c.get("type", "")) for c in error.get("root_cause", []) if isinstance(c, dict))
            caused = error.get("caused_by")
            if isinstance(caused, dict):
                types.append(str(caused.get("type", "")))
        elif isinstance(error, str):
            types.append(error)
    return " ".join(t for t in types if t)


def status_of(exc) -> int | None:
    meta = getattr(exc, "meta", None)
    return getattr(meta, "status", None)


def is_index_missing(exc) -> bool:
    from elasticsearch import NotFoundError

    return isinstance(exc, NotFoundError) and "index_not_found_exception" in error_type(exc)


def is_unavailable(exc) -> bool:
    """The cluster cannot answer this now (unreachable, timed out, overloaded, over the clause
    limit): the database engine can, so the caller falls back to it."""
    from elasticsearch import ApiError, TransportError

    if isinstance(exc, TransportError):  # ConnectionError, ConnectionTimeout, …
        return True
    if isinstance(exc, ApiError):
        return status_of(exc) in TRANSIENT_STATUSES or "too_many" in error_type(exc)
    return False


def transient_write(exc) -> bool:
    from elasticsearch import ApiError, TransportError

    if isinstance(exc, TransportError | TransientIndexError):
        return True
    return isinstance(exc, ApiError) and status_of(exc) in TRANSIENT_STATUSES


# --- the search circuit breaker (per process) ------------------------------------------------
_unavailable_until = 0.0


def search_suspended() -> bool:
    return time.monotonic() < _unavailable_until


def suspend_search() -> None:
    global _unavailable_until
    _unavailable_until = time.monotonic() + float(getattr(settings, "ELASTICSEARCH_RETRY_AFTER", 10))


def resume_search() -> None:
    global _unavailable_until
    _unavailable_until = 0.0
