"""Content-Security-Policy (django-csp 4) with per-request nonces.

Site pages get ``CONTENT_SECURITY_POLICY`` (settings): scripts only from our origin, Stripe.js and
``<script nonce="{{ request.csp_nonce }}">``. The Stripe origins are added here at request time
from ``STRIPE_JS_URL`` / ``STRIPE_API_BASE``, so localstripe in ``make run`` and tests works with the
same policy. The Wagtail admin (``/admin/``) writes a few inline ``<script>`` tags without nonces
(date pickers, inline panels), so it gets ``CONTENT_SECURITY_POLICY_ADMIN`` instead: inline
scripts allowed, but still no foreign origins, no plugins, no framing by other sites.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

ADMIN_PREFIX = "/admin/"


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def stripe_origins() -> list[str]:
    origins = {"https://js.stripe.com"}
    for url in (getattr(settings, "STRIPE_JS_URL", ""), getattr(settings, "STRIPE_API_BASE", "")):
        if origin := _origin(url):
            origins.add(origin)
    return sorted(origins)


class SymbioCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        if request.path_info.startswith(ADMIN_PREFIX) and parts.config is None:
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
            parts.nonce = None  # a nonce would switch 'unsafe-inline' off for Wagtail's scripts
            return parts
        stripe = stripe_origins()
        update = dict(parts.update or {})
        for directive, extra in (
            ("script-src", stripe),
            ("frame-src", [*stripe, "https://hooks.stripe.com"]),
            ("connect-src", [*stripe, "https://api.stripe.com"]),
        ):
            current = update.get(directive) or []
            # django-csp appends an update to a directive the policy names, but a directive it does
            # not name (connect-src, frame-src) would then hold only Stripe and lose default-src's
            # 'self' (the search suggestions' fetch, htmx): start those from 'self'.
            configured = (parts.config or settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]).get(directive)
            base = [] if configured else ["'self'"]
            update[directive] = [*base, *([current] if isinstance(current, str) else current), *extra]
        parts.update = update
        return parts
