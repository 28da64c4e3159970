"""Demand test data: ``RequirementFactory(customer_organisation=org, state="open", …)`` — a
customer's requirement (a draft unless ``state`` is given) with a budget and due dates, written
directly; use ``demand.services`` when a test is about posting or approving one."""

from datetime import timedelta

import factory
from django.utils import timezone

from demand.models import Requirement
from tests.factories.accounts import OrganisationFactory

__all__ = ["RequirementFactory"]


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    customer_organisation = factory.SubFactory(OrganisationFactory)
    title = "ERP 实施"
    title_en = "ERP rollout"
    description = "需要一家服务商实施 ERP。"
    proposal_due = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    award_by = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=30)).date())
    currency = "CNY"
    budget_min = 10000
    budget_max = 50000
