"""The one refusal exception (HackSoft's ``ApplicationError`` shape).

Services raise :class:`ApplicationError` when a request is understood but refused by a business
rule (a transition that is not allowed, an amount above what remains, a deadline passed). Views
turn it into a message (``messages.error(request, error.message)``) or a form error; the API turns
it into an ``application/problem+json`` document with ``error.code`` as its stable code.
The message is already translated (``gettext``) in the language active when it was raised.
"""


class ApplicationError(Exception):
    #: Stable machine-readable code (used by the API's problem documents); subclasses override.
    code = "refused"
    #: HTTP status the API answers with.
    status = 400

    def __init__(self, message, *, code: str | None = None, field: str | None = None, extra=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field  # the form field the refusal is about, when there is one
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(ApplicationError):
    """An illegal state transition or an action outside the object's state."""

    code = "not_allowed"
    status = 409
