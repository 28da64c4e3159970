"""Demo ratings and reviews: customers that used a listing (``catalog.ListingUsage``, seeded by
``demo.catalog``) review it, mostly 4–5 stars with some low ones; partners reply to some; one
review is reported and one hidden by a reviewer. Chinese and English texts. Aggregates are
recomputed through ``marketplace.services.reviews``.

Deterministic (``ctx.rng``, dates from ``DEMO_TODAY``) and idempotent: an organisation's review
of a listing is written once and kept; rerunning adds nothing.

The demo customer login's organisation keeps its flagship-partner usages unreviewed, so whoever
tries the demo can write a review there.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, User
from catalog.models import ListingPage, ListingUsage
from demo.accounts import demo_login
from demo.base import DEMO_TODAY, SeedContext, chunked, weighted_choice
from marketplace.models import Review, ReviewReply, ReviewReport
from marketplace.services import reviews as services

RATING_WEIGHTS = {5: 44, 4: 33, 3: 11, 2: 6, 1: 6}
REVIEW_SHARE = 0.7  # of organisations with a usage
REPLY_SHARE = {5: 0.2, 4: 0.25, 3: 0.5, 2: 0.8, 1: 0.8}
ENGLISH_SHARE = 0.25
HIDE_REASON = "Off-topic: the review describes a different product and includes a salesperson's phone number."

# (title, body) by band; ``{name}`` is the listing's name in the review's language.
TEXTS = {
    "zh": {
        "high": (
            (
                "上线快，团队很快就用起来了",
                "我们用{name}替换了原来的表格流程，两周内全员上线。界面清晰，移动端也好用，伙伴的实施顾问很专业。",
            ),
            (
                "省了很多重复工作",
                "{name}和我们的 ERP 对接顺利，月末结账时间明显缩短。报表可以直接导出给管理层，非常方便。",
            ),
            (
                "服务响应及时",
                "使用{name}一年多，遇到问题工单当天就有回复。版本更新频繁，新功能基本都是我们提过的需求。",
            ),
            (
                "性价比高，推荐",
                "对比了三家方案后选了{name}。按人数计费很灵活，试用期就把核心流程跑通了。",
            ),
            (
                "数据打通后效率提升明显",
                "之前各部门数据分散，{name}上线后统一了口径。权限管理细致，审计也能追溯。",
            ),
        ),
        "mid": (
            (
                "功能够用，细节还需打磨",
                "{name}的核心功能满足需求，但部分报表自定义不够灵活，导出格式也有限。希望后续版本改进。",
            ),
            (
                "整体不错，培训要加强",
                "系统本身稳定，不过上手需要时间。建议伙伴提供更多中文视频教程和操作手册。",
            ),
        ),
        "low": (
            (
                "实施周期比预期长",
                "{name}的实施比合同约定多用了一个月，期间沟通不够顺畅。现在基本可用，但还有几个问题没解决。",
            ),
            (
                "与现有系统集成困难",
                "和我们的老系统对接出现多次数据同步失败，技术支持响应偏慢。目前只在一个部门试用。",
            ),
        ),
    },
    "en": {
        "high": (
            (
                "Up and running in two weeks",
                (
                    "We replaced our spreadsheet process with {name} and the whole team was on it "
                    "within two weeks. Clear interface, solid mobile app, and the partner's "
                    "consultants knew their stuff."
                ),
            ),
            (
                "Saves us hours every month",
                (
                    "{name} connected to our ERP without drama and month-end close is noticeably "
                    "faster. Reports go straight to management."
                ),
            ),
            (
                "Responsive support",
                (
                    "We have used {name} for over a year. Tickets get an answer the same day and "
                    "releases keep shipping features we asked for."
                ),
            ),
            (
                "Great value",
                (
                    "We compared three options and chose {name}. Per-seat pricing is flexible and we "
                    "proved the core workflow during the trial."
                ),
            ),
        ),
        "mid": (
            (
                "Does the job, rough edges remain",
                (
                    "{name} covers our core needs, but custom reports are limited and export formats "
                    "are few. Hoping the next versions improve this."
                ),
            ),
            (
                "Good product, onboarding could be better",
                (
                    "Stable system, but it takes time to learn. More tutorials in English would help "
                    "new users."
                ),
            ),
        ),
        "low": (
            (
                "Implementation ran late",
                (
                    "Rolling out {name} took a month longer than agreed and communication was patchy. "
                    "It works now, with a few open issues."
                ),
            ),
            (
                "Hard to integrate",
                (
                    "Data sync with our legacy system failed several times and support was slow to "
                    "respond. We only use it in one department so far."
                ),
            ),
        ),
    },
}

REPLIES = {
    "zh": {
        "high": "感谢您的认可！我们会继续打磨产品，有任何需求欢迎随时联系客户成功团队。",
        "mid": "感谢反馈！报表自定义与培训资料已列入下个版本计划，我们的顾问会与您联系安排一次专项培训。",
        "low": "非常抱歉给您带来不便。我们已安排专人跟进您提到的问题，本周内会与您的项目负责人沟通解决方案。",
    },
    "en": {
        "high": "Thank you for the kind words! Our customer success team is here whenever you need anything.",
        "mid": (
            "Thanks for the feedback. Report customisation and training material are on the "
            "roadmap; our consultant will reach out to set up a session."
        ),
        "low": (
            "We are sorry about this. A dedicated engineer is now on your issues and will "
            "contact your project lead this week."
        ),
    },
}


def _band(rating: int) -> str:
    return "high" if rating >= 4 else "mid" if rating == 3 else "low"


def _first_members(organisation_ids) -> dict[int, int]:
    """organisation id → a member's user id (owners first, then admins, then members)."""
    order = {Role.OWNER: 0, Role.ADMIN: 1, Role.MEMBER: 2}
    best: dict[int, tuple[int, int]] = {}
    rows = Membership.objects.filter(organisation_id__in=list(organisation_ids)).values_list(
        "organisation_id", "user_id", "role"
    )
    for org_id, user_id, role in rows:
        key = (order.get(role, 3), user_id)
        if org_id not in best or key < best[org_id]:
            best[org_id] = key
    return {org_id: user_id for org_id, (_rank, user_id) in best.items()}


def _partner_owners(partner_ids) -> dict[int, int]:
    rows = (
        Membership.objects.filter(organisation__partner__pk__in=list(partner_ids), role=Role.OWNER)
        .order_by("organisation_id", "pk")
        .values_list("organisation__partner__pk", "user_id")
    )
    owners: dict[int, int] = {}
    for partner_id, user_id in rows:
        owners.setdefault(partner_id, user_id)
    return owners


def _demo_customer_org() -> int | None:
    return (
        Membership.objects.filter(
            user__email=demo_login("customer").email, organisation__kind=Organisation.Kind.CUSTOMER
        )
        .values_list("organisation_id", flat=True)
        .first()
    )


def _flagship_partner_id(ctx: SeedContext) -> int | None:
    return ctx.registry.get("partners.flagship") or (
        Membership.objects.filter(
            user__email=demo_login("partner").email, organisation__partner__isnull=False
        )
        .values_list("organisation__partner__pk", flat=True)
        .first()
    )


def seed_reviews(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.rng("marketplace.reviews")
    listings = dict(
        ListingPage.objects.live()
        .filter(delisted_at__isnull=True, partner__isnull=False)
        .values_list("pk", "partner_id")
    )
    if not listings:
        return {"reviews": 0}
    usages = defaultdict(list)  # (listing, organisation) → [(started, ended)]
    rows = (
        ListingUsage.objects.filter(listing_id__in=list(listings), started_on__lte=DEMO_TODAY)
        .filter(organisation__kind=Organisation.Kind.CUSTOMER)
        .order_by("listing_id", "organisation_id", "started_on")
        .values_list("listing_id", "organisation_id", "started_on", "ended_on")
    )
    for listing_id, org_id, started, ended in rows:
        usages[(listing_id, org_id)].append((started, ended))
    existing = set(
        Review.objects.filter(listing_id__in=list(listings)).values_list("listing_id", "organisation_id")
    )
    demo_org, flagship = _demo_customer_org(), _flagship_partner_id(ctx)
    authors = _first_members({org for _listing, org in usages})
    titles = dict(ListingPage.objects.filter(pk__in=list(listings)).values_list("pk", "title"))
    titles_en = dict(ListingPage.objects.filter(pk__in=list(listings)).values_list("pk", "title_en"))

    new_reviews, dates = [], {}
    for (listing_id, org_id), spans in sorted(usages.items()):
        draw = rng.random()
        rating = weighted_choice(rng, list(RATING_WEIGHTS), list(RATING_WEIGHTS.values()))
        english = rng.random() < ENGLISH_SHARE
        pick = rng.random()
        if (listing_id, org_id) in existing or org_id not in authors or draw > REVIEW_SHARE:
            continue
        if org_id == demo_org and listings[listing_id] == flagship:
            continue  # left for the person trying the demo
        language = "en" if english else "zh-hans"
        pool = TEXTS["en" if english else "zh"][_band(rating)]
        title, body = pool[int(pick * len(pool))]
        name = (titles_en.get(listing_id) or titles[listing_id]) if english else titles[listing_id]
        started = spans[0][0]
        written = min(DEMO_TODAY, started + timedelta(days=10 + int(draw * 200)))
        new_reviews.append(
            Review(
                listing_id=listing_id,
                organisation_id=org_id,
                author_id=authors[org_id],
                rating=rating,
                title=title,
                body=body.format(name=name),
                language=language,
            )
        )
        dates[(listing_id, org_id)] = written
    for batch in chunked(new_reviews):
        Review.objects.bulk_create(batch, ignore_conflicts=True)
    _backdate(dates)
    replies = _seed_replies(rng, listings, new_keys=set(dates))
    reported, hidden = _seed_moderation(ctx)
    touched = list(listings)
    services.recompute_listing_ratings(listing_ids=touched, reindex=False)
    return {
        "reviews written": len(new_reviews),
        "replies": replies,
        "reported": reported,
        "hidden": hidden,
        "listings rated": len(touched),
    }


def _backdate(dates) -> None:
    tz = timezone.get_current_timezone()
    by_day = defaultdict(list)
    for key, day in dates.items():
        by_day[day].append(key)
    for day, keys in by_day.items():
        when = datetime.combine(day, time(9, 30), tzinfo=tz)
        condition = Q(pk__in=[])
        for listing_id, org_id in keys:
            condition |= Q(listing_id=listing_id, organisation_id=org_id)
        Review.objects.filter(condition).update(created_at=when, updated_at=when)


def _seed_replies(rng: random.Random, listings: dict[int, int], *, new_keys: set) -> int:
    """Partners answer some of the reviews written in this run (so a rerun adds none)."""
    if not new_keys:
        return 0
    owners = _partner_owners(set(listings.values()))
    reviews = (
        Review.objects.filter(
            listing_id__in=list(listings), reply__isnull=True, status=Review.Status.PUBLISHED
        )
        .order_by("pk")
        .values_list("pk", "listing_id", "organisation_id", "rating", "language")
    )
    replies = []
    for review_id, listing_id, org_id, rating, language in reviews:
        if (listing_id, org_id) not in new_keys:
            continue
        partner_id = listings[listing_id]
        if partner_id not in owners or rng.random() > REPLY_SHARE[rating]:
            continue
        text = REPLIES["en" if language == "en" else "zh"][_band(rating)]
        replies.append(
            ReviewReply(review_id=review_id, partner_id=partner_id, author_id=owners[partner_id], body=text)
        )
    for batch in chunked(replies):
        ReviewReply.objects.bulk_create(batch, ignore_conflicts=True)
    _backdate_replies([reply.review_id for reply in replies], rng)
    return len(replies)


def _backdate_replies(review_ids, rng: random.Random) -> None:
    """A partner answers one to six days after the review (never after the demo's today)."""
    tz = timezone.get_current_timezone()
    today = datetime.combine(DEMO_TODAY, time(18), tzinfo=tz)
    written = dict(Review.objects.filter(pk__in=review_ids).values_list("pk", "created_at"))
    for review_id in review_ids:
        when = min(today, written[review_id] + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8)))
        ReviewReply.objects.filter(review_id=review_id).update(created_at=when, updated_at=when)


def _seed_moderation(ctx: SeedContext) -> tuple[int, int]:
    """One reported review (by the demo customer) and one hidden one (by the demo reviewer)."""
    customer = User.objects.filter(email=demo_login("customer").email).first()
    staff = User.objects.filter(email=demo_login("reviewer").email).first()
    reported = hidden = 0
    published = Review.objects.filter(status=Review.Status.PUBLISHED).order_by("pk")
    if customer is not None and not ReviewReport.objects.filter(reporter=customer).exists():
        target = published.filter(rating__lte=2).exclude(organisation__memberships__user=customer).first()
        if target is not None:
            ReviewReport.objects.create(
                review=target,
                reporter=customer,
                reason=ReviewReport.Reason.CONFLICT,
                details="这条评价看起来来自竞争对手的员工。/ It looks written by a competitor's employee.",
            )
            tz = timezone.get_current_timezone()
            when = datetime.combine(DEMO_TODAY - timedelta(days=2), time(15), tzinfo=tz)
            ReviewReport.objects.filter(review=target, reporter=customer).update(created_at=when)
            reported = 1
    if staff is not None and not Review.objects.filter(status=Review.Status.HIDDEN).exists():
        target = published.filter(rating=1, reports__isnull=True).order_by("-pk").first()
        if target is not None:
            ReviewReport.objects.get_or_create(
                review=target, reporter=staff, defaults={"reason": ReviewReport.Reason.OFF_TOPIC}
            )
            services.hide_review(review=target, user=staff, reason=HIDE_REASON, report=False)
            hidden = 1
    return reported, hidden
