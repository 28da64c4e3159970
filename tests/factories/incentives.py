"""Incentives test data; any test may import it:

    from tests.factories.incentives import member_partner, published_pool, photo

- ``member_partner(kind=…, rank=…)`` — a partner (no page) at a tier, with an owner enrolled in
  two-factor (``partner.owner``).
- ``published_pool(partner)`` — a published pool with ``partner``'s allocation and its ledger
  entry, written directly; ``draft_fund_request(partner, pool, owner)`` through
  ``incentives.services.funds``.
- Uploads: ``photo(seed=…)`` (a JPEG, optionally with an EXIF date), ``photo_bytes``,
  ``invoice_pdf()``, ``upload(name, content)``.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from incentives.models import ActivityType, Allocation, IncentivePool, LedgerKind
from incentives.services import funds, ledger
from partners.models import PartnerKind
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.partners import PartnerFactory, TierFactory
from tests.unit.accounts.helpers import enrol_totp

__all__ = [
    "draft_fund_request",
    "invoice_pdf",
    "member_partner",
    "photo",
    "photo_bytes",
    "published_pool",
    "upload",
]

_seq = itertools.count(1)


def member_partner(*, kind=PartnerKind.CHANNEL, rank=2, role=Role.OWNER, **kwargs):
    partner = PartnerFactory(kind=kind, tier=TierFactory(kind=kind, rank=rank), **kwargs)
    owner = UserFactory()
    MembershipFactory(user=owner, organisation=partner.organisation, role=role)
    enrol_totp(owner)  # partner owners and admins need an authenticator before the console
    partner.owner = owner
    return partner


def published_pool(partner, *, amount=Decimal("50000.00")):
    today = timezone.localdate()
    pool = IncentivePool.objects.create(
        name=f"MDF {next(_seq)}",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        amount=Decimal("1000000.00"),
        currency="CNY",
        status=IncentivePool.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    Allocation.objects.create(
        pool=pool,
        partner=partner,
        amount=amount,
        weight=Decimal("1"),
        tier_weight=Decimal("1"),
        health=Decimal("50"),
        region_weight=Decimal("1"),
    )
    ledger.post(
        partner=partner, pool=pool, kind=LedgerKind.ALLOCATION, amount=amount, reference=f"alloc-{pool.pk}"
    )
    return pool


def draft_fund_request(partner, pool, owner):
    start = timezone.localdate() + timedelta(days=40)
    return funds.create_request(
        partner=partner,
        pool=pool,
        user=owner,
        activity_type=ActivityType.EVENT,
        title="华东用户大会",
        plan="Two-day user conference.",
        expected_results="200 attendees.",
        start_date=start,
        end_date=start + timedelta(days=1),
        budget=Decimal("20000"),
    )


# --- files -------------------------------------------------------------------------------------
def photo_bytes(
    *, seed: int = 1, size=(640, 480), taken: str | None = "2026:04:01 10:00:00", fmt="JPEG", quality=90
):
    """A photo with shapes placed by ``seed`` (so different seeds look different), optionally
    with an EXIF date."""
    import io
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randrange(600), rng.randrange(440)
        w, h = rng.randrange(40, 300), rng.randrange(40, 300)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=colour)
    if size != (640, 480):
        image = image.resize(size)
    buffer = io.BytesIO()
    kwargs = {"quality": quality} if fmt == "JPEG" else {}
    if taken:
        exif = Image.Exif()
        exif[306] = taken
        kwargs["exif"] = exif
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def invoice_pdf(name="invoice.pdf", marker=b"1"):
    return upload(name, b"%PDF-1.4\n" + marker + b"\n%%EOF\n", "application/pdf")


def photo(name="event.jpg", **kwargs):
    return upload(name, photo_bytes(**kwargs), "image/jpeg")
