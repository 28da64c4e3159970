"""``manage.py demo_logins``: where the site is and how to log in as each role."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from accounts.models import User
from demo.accounts import DEMO_LOGINS, DEMO_MFA_ROLES, DEMO_TOTP_SECRET, demo_password, demo_totp_code


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [rule]
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append(rule)
    lines.append(rule)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the site URL and the demo logins (role, email, password)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.WAGTAILADMIN_BASE_URL, help="Base URL of the site.")

    def handle(self, *args, url, **options):
        base = url.rstrip("/")
        try:
            existing = set(
                User.objects.filter(email__in=[x.email for x in DEMO_LOGINS]).values_list("email", flat=True)
            )
        except DatabaseError:
            existing = set()
        password = demo_password()
        code = demo_totp_code()
        rows = [("Role / 角色", "Email", "Password", "2FA code now / 验证码")]
        rows += [
            (f"{x.label} · {x.label_zh}", x.email, password, code if x.role in DEMO_MFA_ROLES else "–")
            for x in DEMO_LOGINS
        ]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Symbio is running"))
        self.stdout.write(f"  Site (中文):    {base}/")
        self.stdout.write(f"  Site (English): {base}/en/")
        self.stdout.write(f"  Back office:    {base}/admin/")
        self.stdout.write(f"  Log in:         {base}/accounts/login/")
        self.stdout.write("")
        self.stdout.write(table(rows))
        self.stdout.write(
            f"  Two-factor: add the TOTP secret {DEMO_TOTP_SECRET} to an authenticator app, or run "
            "`manage.py demo_logins` again for a fresh code (valid 30 s)."
        )
        self._api_key(base)
        missing = [x.email for x in DEMO_LOGINS if x.email not in existing]
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    f"Not in the database yet: {', '.join(missing)}; run `manage.py seed_demo`."
                )
            )
        self.stdout.write("")

    def _api_key(self, base: str) -> None:
        from api.models import ApiKey
        from demo.api import DEMO_KEY_OWNER, DEMO_KEY_PREFIX, demo_api_token

        try:
            seeded = ApiKey.objects.filter(prefix=DEMO_KEY_PREFIX, revoked_at__isnull=True).exists()
        except DatabaseError:
            seeded = False
        if seeded:
            self.stdout.write(f"  Partner API key ({DEMO_KEY_OWNER}, every scope): {demo_api_token()}")
            self.stdout.write(f"    curl -H 'Authorization: Bearer {demo_api_token()}' {base}/api/v1/partner")
