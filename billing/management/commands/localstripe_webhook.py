"""Point localstripe's webhook deliveries at this site (``make run``): localstripe has no
WebhookEndpoint API, only ``POST /_config/webhooks/<id>``.

    python manage.py localstripe_webhook --url http://127.0.0.1:8000/billing/stripe/webhook/
"""

import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Register this site's Stripe webhook endpoint with localstripe (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/billing/stripe/webhook/")
        parser.add_argument("--id", default="symbio")

    def handle(self, *args, **options):
        base = getattr(settings, "STRIPE_API_BASE", "")
        if not base:
            raise CommandError("STRIPE_API_BASE is empty: this command is for localstripe only.")
        data = urllib.parse.urlencode(
            {"url": options["url"], "secret": settings.STRIPE_WEBHOOK_SECRET}
        ).encode()
        try:
            urllib.request.urlopen(
                f"{base.rstrip('/')}/_config/webhooks/{options['id']}", data=data, timeout=5
            )
        except (urllib.error.URLError, OSError) as exc:
            raise CommandError(f"localstripe at {base} did not answer: {exc}") from exc
        self.stdout.write(f"localstripe at {base} now delivers webhooks to {options['url']}")
