"""``handler500`` (config/urls.py): a request that failed because the database could not be
reached — PostgreSQL restarting, connections dropped — answers 503 with ``Retry-After`` instead of
a 500. The request's transaction was rolled back (nothing half-written) and Django discards the
broken connection when the request ends, so the next request connects again."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def server_error(request, *args, **kwargs):
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.warning("Database unavailable for %s: %s", request.path, error)
        response = HttpResponse(
            _("The site is briefly unavailable. Please try again in a moment."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request, *args, **kwargs)
