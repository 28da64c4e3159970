"""Fixtures for the incentives tests: service and channel partners on tier ladders, staff in
their groups, and a published pool."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from accounts.roles import STAFF_GROUPS
from incentives.services import allocation
from partners.models import PartnerKind
from tests.unit.accounts.factories import MembershipFactory, UserFactory
from tests.unit.accounts.helpers import enrol_totp
from tests.unit.partners.factories import PartnerFactory, RegionFactory, TierFactory

TODAY = date(2026, 3, 2)  # a Monday


def staff(group_key):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=STAFF_GROUPS[group_key].name))
    enrol_totp(user)  # staff need an authenticator before the admin (accounts.mfa)
    return user


def member_partner(*, kind=PartnerKind.CHANNEL, rank=2, role=Role.OWNER, **kwargs):
    partner = PartnerFactory(kind=kind, tier=TierFactory(kind=kind, rank=rank), **kwargs)
    owner = UserFactory()
    MembershipFactory(user=owner, organisation=partner.organisation, role=role)
    enrol_totp(owner)  # partner owners and admins need an authenticator before the console
    partner.owner = owner
    return partner


@pytest.fixture
def programme_manager(db):
    return staff("programme_manager")


@pytest.fixture
def second_manager(db):
    return staff("programme_manager")


@pytest.fixture
def finance(db):
    return staff("finance")


@pytest.fixture
def partner_a(db):
    partner = member_partner(organisation__slug="mdf-a", organisation__name_en="MDF A")
    partner.regions.add(RegionFactory(code="east"))
    return partner


@pytest.fixture
def partner_b(db):
    return member_partner(kind=PartnerKind.SERVICE, rank=1, organisation__slug="mdf-b")


@pytest.fixture
def pool(partner_a, partner_b, programme_manager):
    pool = allocation.create_pool(
        user=programme_manager,
        name="2026 MDF",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        amount=Decimal("100000.00"),
        currency="CNY",
    )
    allocation.preview_allocation(pool=pool, user=programme_manager)
    return allocation.publish_pool(pool=pool, user=programme_manager)


@pytest.fixture(autouse=True)
def _no_random_audit(settings):
    """The random audit sample is tested on its own; elsewhere it would hold claims at random."""
    settings.INCENTIVES_AUDIT_RATE = Decimal("0")


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
