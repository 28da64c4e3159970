"""The tier-change e-mail when staff approve a promotion (issue #18, point 9)."""

from datetime import date

import pytest
from django.core import mail

from partners.models import TierRecommendation
from partners.services.programme import approve_recommendation
from tests.factories.programme import service_ladder, service_partner

pytestmark = pytest.mark.django_db


def test_owners_hear_of_a_promotion_in_both_languages_with_a_link_home(
    settings, django_capture_on_commit_callbacks, programme_manager
):
    settings.SITE_URL = "https://market.example.cn"
    ladder = service_ladder()
    partner = service_partner(ladder[1])
    from accounts.models import Role
    from tests.factories.accounts import MembershipFactory, UserFactory

    owner = UserFactory(email="owner@promoted.example.cn")
    MembershipFactory(user=owner, organisation=partner.organisation, role=Role.OWNER)
    rec = TierRecommendation.objects.create(
        partner=partner,
        current_tier=ladder[1],
        recommended_tier=ladder[2],
        action=TierRecommendation.Action.PROMOTE,
        evidence=[],
        as_of=date(2026, 9, 1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        approve_recommendation(recommendation=rec, user=programme_manager)

    (message,) = mail.outbox
    assert message.to == ["owner@promoted.example.cn"]
    assert ladder[2].name in message.subject and ladder[2].name_en in message.subject
    assert "https://market.example.cn/partners/console/" in message.body
    assert ladder[1].name_en in message.body and ladder[2].name_en in message.body
