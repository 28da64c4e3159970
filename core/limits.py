"""Bounded integers: a number in a URL or a query that no database row can have is refused early.

PostgreSQL's ``integer`` stops at 2,147,483,647 (``bigint`` at 2^63 − 1); a larger value sent to a
query can fail with "value out of range" (a 500) instead of finding nothing. Path segments made of
digits (what ``<int:…>`` matches) beyond :data:`MAX_DB_INT` answer 404 in
:class:`BoundedPathIntegersMiddleware`, before any view runs. Views that read integers from query
strings or forms parse them with :func:`db_int`.
"""

from django.http import Http404

MAX_DB_INT = 2**31 - 1  # PostgreSQL integer (Wagtail's page ids); bigint ids stay far below


def db_int(value, *, low: int = 0, high: int = MAX_DB_INT) -> int | None:
    """``value`` as an int when it is plain ASCII digits (optionally signed) within bounds, else
    None. Unicode digits such as ``²`` or ``٣`` and numbers past the database's range are None."""
    text = str(value).strip() if value is not None else ""
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    number = int(text)
    return number if low <= number <= high else None


class BoundedPathIntegersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    #: The partner API answers its own 404s as problem documents and looks objects up by UUID.
    SKIP_PREFIXES = ("/api/",)

    def __call__(self, request):
        if request.path_info.startswith(self.SKIP_PREFIXES):
            return self.get_response(request)
        for segment in request.path_info.split("/"):
            if segment.isascii() and segment.isdigit() and (len(segment) > 10 or int(segment) > MAX_DB_INT):
                raise Http404
        return self.get_response(request)
