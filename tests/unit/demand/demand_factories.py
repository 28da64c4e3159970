"""Helpers for the demand tests (importable: ``from tests.unit.demand.demand_factories import ...``)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from demand.models import Requirement


def owner_of(partner):
    return partner.organisation.memberships.get(role=Role.OWNER).user


def make_requirement(organisation, **fields) -> Requirement:
    now = timezone.now()
    values = {
        "title": "ERP 实施",
        "title_en": "ERP rollout",
        "description": "需要一家服务商实施 ERP。",
        "proposal_due": now + timedelta(days=7),
        "award_by": (now + timedelta(days=30)).date(),
        "currency": "CNY",
        "budget_min": 10000,
        "budget_max": 50000,
    }
    values.update(fields)
    return Requirement.objects.create(customer_organisation=organisation, **values)


def login(client, user, organisation=None):
    client.force_login(user)
    if organisation is not None:
        session = client.session
        session["active_organisation_id"] = organisation.pk
        session.save()
    return client
