"""Checks against fraud: each one raises a flag that explains itself, and an open flag holds
the claim until a reviewer resolves it."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from core.exceptions import NotAllowed
from incentives.models import FraudCheck, RequestState
from incentives.services import fraud, funds
from tests.factories.incentives import invoice_pdf, photo, photo_bytes, upload
from tests.unit.incentives.test_funds import approved, claim

pytestmark = pytest.mark.django_db


def checks(request):
    return sorted(request.flags.values_list("check_name", flat=True))


def explanation(request, check):
    with translation.override("en"):
        return fraud.explain(request.flags.get(check_name=check))


def two_approved(pool, partner, manager):
    first = approved(partner, pool, manager, budget="10000")
    second = approved(partner, pool, manager, budget="10000", start=date(2026, 4, 1), end=date(2026, 4, 3))
    return first, second


def test_same_invoice_number_in_two_claims(pool, partner_a, partner_b, programme_manager):
    first = claim(approved(partner_a, pool, programme_manager, budget="10000"), amount="5000")
    second = claim(
        approved(partner_b, pool, programme_manager, budget="10000"),
        amount="5000",
        invoices=[{"file": invoice_pdf(marker=b"other"), "code": "031001900111", "number": "12345678"}],
        photos=[photo(seed=9)],
    )
    assert checks(first) == []
    assert checks(second) == [FraudCheck.DUPLICATE_INVOICE]
    text = explanation(second, FraudCheck.DUPLICATE_INVOICE)
    assert "031001900111 / 12345678" in text and first.title in text
    with pytest.raises(NotAllowed):
        funds.approve_claim(request=second, user=programme_manager)


def test_same_file_in_two_claims(pool, partner_a, programme_manager):
    first, second = two_approved(pool, partner_a, programme_manager)
    claim(first, amount="5000")
    second = claim(
        second,
        amount="5000",
        invoices=[{"file": invoice_pdf(marker=b"other"), "code": "031001900111", "number": "87654321"}],
    )
    assert checks(second) == [FraudCheck.DUPLICATE_FILE]  # the same photo bytes
    assert "SHA-256" in explanation(second, FraudCheck.DUPLICATE_FILE)


def test_a_photo_resaved_at_another_size_is_recognised(pool, partner_a, programme_manager):
    first, second = two_approved(pool, partner_a, programme_manager)
    claim(first, amount="5000", photos=[photo(seed=3)])
    resized = upload("smaller.jpg", photo_bytes(seed=3, size=(320, 240), quality=70), "image/jpeg")
    second = claim(
        second,
        amount="5000",
        invoices=[{"file": invoice_pdf(marker=b"x"), "code": "031001900111", "number": "87654321"}],
        photos=[resized],
    )
    assert checks(second) == [FraudCheck.SIMILAR_PHOTO]
    assert "re-encoded or resized" in explanation(second, FraudCheck.SIMILAR_PHOTO)


def test_a_different_photo_is_not_flagged(pool, partner_a, programme_manager):
    first, second = two_approved(pool, partner_a, programme_manager)
    claim(first, amount="5000", photos=[photo(seed=3)])
    second = claim(
        second,
        amount="5000",
        invoices=[{"file": invoice_pdf(marker=b"x"), "code": "031001900111", "number": "87654321"}],
        photos=[photo(seed=4)],
    )
    assert checks(second) == []


def test_a_photo_dated_outside_the_activity(pool, partner_a, programme_manager):
    request = claim(approved(partner_a, pool, programme_manager), photos=[photo(taken="2025:11:20 09:30:00")])
    assert checks(request) == [FraudCheck.PHOTO_DATE]
    text = explanation(request, FraudCheck.PHOTO_DATE)
    assert "2025-11-20" in text and "2026-04-01" in text


def test_a_photo_without_exif_date_or_within_the_window_is_not_flagged(pool, partner_a, programme_manager):
    first, second = two_approved(pool, partner_a, programme_manager)
    assert checks(claim(first, amount="5000", photos=[photo(seed=5, taken=None)])) == []
    second = claim(
        second,
        amount="5000",
        invoices=[{"file": invoice_pdf(marker=b"x"), "code": "031001900111", "number": "87654321"}],
        photos=[photo(seed=6, taken="2026:04:03 18:00:00")],
    )
    assert checks(second) == []


def test_random_audit_sample_is_deterministic_and_near_its_rate(pool, partner_a, programme_manager, settings):
    request = approved(partner_a, pool, programme_manager)
    picks = [fraud.in_audit_sample(request, rate=Decimal("0.10"), seed=f"s{i}") for i in range(2000)]
    assert 150 < sum(picks) < 250
    assert picks == [fraud.in_audit_sample(request, rate=Decimal("0.10"), seed=f"s{i}") for i in range(2000)]
    settings.INCENTIVES_AUDIT_RATE = Decimal("1")
    request = claim(request)
    assert checks(request) == [FraudCheck.AUDIT_SAMPLE]
    assert "100 %" in explanation(request, FraudCheck.AUDIT_SAMPLE)
    flag = request.flags.get()
    with pytest.raises(NotAllowed):
        funds.approve_claim(request=request, user=programme_manager)
    funds.resolve_flag(flag=flag, user=programme_manager, note="Called three attendees; confirmed.")
    assert funds.approve_claim(request=request, user=programme_manager).state == RequestState.CLAIM_APPROVED


def test_the_partner_cannot_resolve_its_own_flags(pool, partner_a, programme_manager):
    request = claim(approved(partner_a, pool, programme_manager), photos=[photo(taken="2025:11:20 09:30:00")])
    with pytest.raises(NotAllowed):
        funds.resolve_flag(flag=request.flags.get(), user=partner_a.owner, note="It is fine.")
    assert request.flags.get().is_open
