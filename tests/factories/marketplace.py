"""Marketplace test data: live listings under a provisioned partner (``make_listing``), plans
(``monthly_plan``, ``trial_plan``, ``free_plan``), screenshots, usages (``give_usage``) and
reviews (``make_review``). Customers: ``tests.factories.accounts.buyer``.

    from tests.factories.marketplace import make_listing, make_review
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from catalog.models import (
    Deployment,
    ListingPage,
    ListingPlan,
    ListingScreenshot,
    ListingType,
    ListingUsage,
    PricingModel,
    UsageKind,
)
from marketplace.models import Review
from tests.factories.accounts import buyer
from tests.factories.partners import provisioned_partner

__all__ = [
    "add_screenshots",
    "free_plan",
    "give_usage",
    "make_listing",
    "make_review",
    "monthly_plan",
    "trial_plan",
]

_seq = itertools.count(1)


def make_listing(
    partner=None,
    *,
    title: str | None = None,
    title_en: str = "",
    plans=None,
    categories=(),
    industries=(),
    regions=(),
    live: bool = True,
    **fields,
) -> ListingPage:
    """A listing page under the partner's page (live unless ``live=False``), with plans."""
    n = next(_seq)
    partner = partner or provisioned_partner()
    title = title or f"测试应用 {n}"
    page = ListingPage(
        title=title,
        title_en=title_en or f"Test App {n}",
        slug=fields.pop("slug", f"test-app-{n}"),
        partner=partner,
        tagline=fields.pop("tagline", "让工作更简单"),
        tagline_en=fields.pop("tagline_en", "Work made simple"),
        listing_type=fields.pop("listing_type", ListingType.SAAS),
        deployment=fields.pop("deployment", Deployment.CLOUD),
        languages=fields.pop("languages", ["zh-hans", "en"]),
        support_email=fields.pop("support_email", f"support{n}@vendor.example.cn"),
        privacy_url=fields.pop("privacy_url", "https://vendor.example.cn/privacy"),
        live=live,
        **fields,
    )
    partner.page.add_child(instance=page)
    for plan in plans if plans is not None else [monthly_plan()]:
        plan.listing = page
        plan.save()
    if categories:
        page.categories.set(categories)
    if industries:
        page.industries.set(industries)
    if regions:
        page.regions.set(regions)
    if categories or industries or regions:
        page.save()
    return ListingPage.objects.get(pk=page.pk)


def monthly_plan(cny="99.00", usd="14.00", **kwargs) -> ListingPlan:
    return ListingPlan(
        name=kwargs.pop("name", "标准版"),
        name_en=kwargs.pop("name_en", "Standard"),
        pricing_model=kwargs.pop("pricing_model", PricingModel.FLAT_MONTHLY),
        price_cny=Decimal(cny) if cny is not None else None,
        price_usd=Decimal(usd) if usd is not None else None,
        features=kwargs.pop("features", "无限项目\n邮件支持"),
        features_en=kwargs.pop("features_en", "Unlimited projects\nEmail support"),
        **kwargs,
    )


def trial_plan(days=14, **kwargs) -> ListingPlan:
    return ListingPlan(
        name="免费试用",
        name_en="Free trial",
        pricing_model=PricingModel.FREE_TRIAL,
        trial_days=days,
        **kwargs,
    )


def free_plan(**kwargs) -> ListingPlan:
    return ListingPlan(name="免费版", name_en="Free", pricing_model=PricingModel.FREE, **kwargs)


def add_screenshots(listing: ListingPage, count: int) -> None:
    image_model = get_image_model()
    for i in range(count):
        image = image_model.objects.create(
            title=f"shot {i}", file=get_test_image_file(filename=f"shot{i}.png")
        )
        ListingScreenshot.objects.create(
            listing=listing, image=image, caption=f"界面 {i}", caption_en=f"Screen {i}"
        )


def give_usage(
    listing, organisation, *, kind=UsageKind.TRIAL, days_ago=30, ended_days_ago=None
) -> ListingUsage:
    today = timezone.localdate()
    return ListingUsage.objects.create(
        listing=listing,
        organisation=organisation,
        kind=kind,
        started_on=today - timedelta(days=days_ago),
        ended_on=today - timedelta(days=ended_days_ago) if ended_days_ago is not None else None,
    )


def make_review(
    listing, *, rating=5, organisation=None, author=None, title="很好用", body="上线很快，团队都在用。", **kw
):
    """A review written directly (no service: aggregates are not touched)."""
    if organisation is None:
        author, organisation = buyer()
    return Review.objects.create(
        listing=listing, organisation=organisation, author=author, rating=rating, title=title, body=body, **kw
    )
