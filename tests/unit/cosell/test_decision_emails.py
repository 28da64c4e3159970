"""Staff decisions are e-mailed to the partner: in the owner's language, with an absolute link,
the coded reason or the fields to fix, and never the other partner's name."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from cosell.models import ProtectionRule, RejectReason, Status
from cosell.services import registrations as svc
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import english

pytestmark = pytest.mark.django_db

OTHER_NAMES = ("甲渠道科技", "Alpha Channel", "乙渠道服务", "Bravo Channel")


def submitted(partner, listing, **overrides):
    reg = svc.create_registration(
        partner=partner, user=owner_of(partner), data=deal_data(listing, **overrides)
    )
    return svc.submit(registration=reg, user=owner_of(partner))


def only_message(partner):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner_of(partner).email]
    assert re.search(r"^https?://[^/\s]+/\S*/deals/\S+$", message.body, re.M)
    text = message.subject + message.body
    for name in OTHER_NAMES:
        assert name not in text
    return message


@pytest.fixture
def reviewed(partner_a, listing):
    ProtectionRule.objects.create(partner_kind=partner_a.kind, auto_approve=False)
    reg = submitted(partner_a, listing)
    assert reg.status == Status.IN_REVIEW
    mail.outbox.clear()
    return reg


def test_approval_in_english(reviewed, partner_a, programme_manager, django_capture_on_commit_callbacks):
    english(owner_of(partner_a))
    with django_capture_on_commit_callbacks(execute=True):
        svc.approve(registration=reviewed, user=programme_manager, note="Good luck")
    message = only_message(partner_a)
    assert "approved" in message.subject and "Good luck" in message.body
    assert str(reviewed.public_id) in message.body


def test_rejection_in_chinese_with_its_coded_reason(
    reviewed, partner_a, programme_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        svc.reject(registration=reviewed, user=programme_manager, code="ineligible", note="")
    message = only_message(partner_a)
    # The owner reads Chinese: the coded reason comes in Chinese, not in English.
    with translation.override("zh-hans"):
        chinese = str(RejectReason.INELIGIBLE.label)
    assert chinese in message.body and "not eligible" not in message.body


def test_action_required_lists_the_fields_to_fix(
    reviewed, partner_a, programme_manager, django_capture_on_commit_callbacks
):
    english(owner_of(partner_a))
    with pytest.raises(ValidationError):
        svc.request_action(registration=reviewed, user=programme_manager, note="x", fields=["customer_name"])
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_action(
            registration=reviewed,
            user=programme_manager,
            note="Add the credit code",
            fields=["customer_uscc", "contact_email"],
        )
    message = only_message(partner_a)
    assert "needs changes" in message.subject
    assert "unified social credit code" in message.body.lower() or "credit code" in message.body.lower()
    assert "contact e-mail" in message.body


@pytest.mark.parametrize(
    ("resolution", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("share", "approved"), ("transfer", "approved")],
)
def test_conflict_outcome_never_names_the_other_partner(
    resolution, status, partner_a, partner_b, listing, programme_manager, django_capture_on_commit_callbacks
):
    english(owner_of(partner_b))
    first = submitted(partner_a, listing)
    second = submitted(partner_b, listing, customer_name="騰訊")
    assert second.conflict_hold
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = svc.resolve_conflict(
            registration=second,
            user=programme_manager,
            resolution=resolution,
            # Staff write freely; the e-mail must not carry it.
            reason="Alpha Channel 甲渠道科技 registered first",
        )
    assert second.status == status
    to_b = [m for m in mail.outbox if m.to == [owner_of(partner_b).email]]
    assert len(to_b) == 1
    for message in mail.outbox:
        text = message.subject + message.body
        for name in OTHER_NAMES:
            assert name not in text
        assert "registered first" not in text
    assert "existing registration" in to_b[0].body
    if resolution == "reject":
        assert "Duplicate" in to_b[0].body
    if resolution == "transfer":
        to_a = [m for m in mail.outbox if m.to == [owner_of(partner_a).email]]
        assert len(to_a) == 1 and str(first.public_id) in to_a[0].body
        with translation.override("zh-hans"):  # partner A's owner reads Chinese
            assert str(RejectReason.TRANSFERRED.label) in to_a[0].body
