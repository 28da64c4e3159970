"""Demo home page content (Chinese ``body``, English ``body_en``), the default site's branding, a
landing page, and ratings and reviews (``demo.reviews``).

A revision is published only when the content differs from what is live, so seeding twice
leaves one revision. Block ids are fixed (uuid5) to keep the stored JSON reproducible.
"""

from __future__ import annotations

import uuid

from wagtail.models import Site

from demo.base import SeedContext
from demo.reviews import seed_reviews
from marketplace.models import HomePage, LandingPage
from themes.models import BrandingSettings

APPLY_URL = "/partners/apply/"
APPLY_URL_EN = "/en/partners/apply/"
SEARCH_URL = "/search/"
SEARCH_URL_EN = "/en/search/"

HOME_TITLE = ("Symbio 生态市场", "Symbio Marketplace")

HOME_BODY = (
    (
        "hero",
        {
            "heading": "找到适合企业的应用与服务伙伴",
            "subheading": "汇聚 ISV、服务伙伴与渠道伙伴的应用、集成与解决方案：在线浏览、试用、咨询与购买。",
            "image": None,
            "show_search": True,
            "primary_label": "成为合作伙伴",
            "primary_url": APPLY_URL,
        },
    ),
    ("featured_listings", {"heading": "精选应用与服务", "count": 6}),
    ("category_grid", {"heading": "按类别浏览", "limit": 10}),
    ("partner_spotlight", {"heading": "明星伙伴", "count": 4}),
    (
        "call_to_action",
        {
            "heading": "加入 Symbio 伙伴计划",
            "text": "发布你的应用与服务，获得商机、认证与激励，与生态一起成长：从注册伙伴到钻石伙伴。",
            "button_label": "申请成为伙伴",
            "button_url": APPLY_URL,
        },
    ),
)

HOME_BODY_EN = (
    (
        "hero",
        {
            "heading": "Find the apps and partners your business needs",
            "subheading": "Apps, integrations and solutions from ISVs, service and channel partners: "
            "browse, try, ask and buy online.",
            "image": None,
            "show_search": True,
            "primary_label": "Become a partner",
            "primary_url": APPLY_URL_EN,
        },
    ),
    ("featured_listings", {"heading": "Featured apps and services", "count": 6}),
    ("category_grid", {"heading": "Browse by category", "limit": 10}),
    ("partner_spotlight", {"heading": "Partner spotlight", "count": 4}),
    (
        "call_to_action",
        {
            "heading": "Join the Symbio partner programme",
            "text": "Publish your apps and services, win leads, certifications and incentives, "
            "and grow with the ecosystem, from Registered to Diamond.",
            "button_label": "Apply to become a partner",
            "button_url": APPLY_URL_EN,
        },
    ),
)

BRANDING = {
    "site_name": "Symbio 生态市场",
    "site_name_en": "Symbio Marketplace",
    "tagline": "连接伙伴，共创价值",
    "tagline_en": "Where partners and customers meet",
    "primary_colour": "#1f5eff",
    "accent_colour": "#12b886",
    "footer_text": "Symbio 生态市场 · 演示数据，所有公司与人物均为虚构。",
    "footer_text_en": "Symbio Marketplace. Demo data: every company and person is fictitious.",
    "support_email": "support@symbio.example",
}

_NAMESPACE = uuid.UUID("6f1c55c6-3c35-4d0e-9a3e-1e6c2b1d5a10")


def stream_data(blocks, language: str, page: str = "home") -> list[dict]:
    """Raw StreamField data with ids that are the same on every run."""
    return [
        {
            "type": block_type,
            "value": dict(value),
            "id": str(uuid.uuid5(_NAMESPACE, f"{page}:{language}:{i}")),
        }
        for i, (block_type, value) in enumerate(blocks)
    ]


LANDING_SLUG = "finance-cloud"
LANDING_TITLE = ("财务上云精选", "Finance in the cloud")
LANDING_SUMMARY = (
    "精选财务云应用与实施服务：总账、报销、税务与资金，由认证伙伴交付。",
    "Hand-picked finance apps and implementation services, delivered by certified partners.",
)


def _landing_body(language: str):
    zh = language == "zh"
    return (
        (
            "hero",
            {
                "heading": "财务上云，从这里开始" if zh else "Move finance to the cloud",
                "subheading": LANDING_SUMMARY[0] if zh else LANDING_SUMMARY[1],
                "image": None,
                "show_search": False,
                "primary_label": "浏览财务类别" if zh else "Browse finance apps",
                "primary_url": "/categories/finance/",
            },
        ),
        (
            "listing_collection",
            {
                "heading": "评分最高的财务应用" if zh else "Best-rated finance apps",
                "intro": "来自已验证客户的评价。" if zh else "Rated by verified customers.",
                "listings": [],
                "category": "finance",
                "sort": "rating",
                "count": 6,
            },
        ),
        (
            "call_to_action",
            {
                "heading": "需要实施伙伴？" if zh else "Need an implementation partner?",
                "text": "认证服务伙伴提供咨询、实施与运维。"
                if zh
                else "Certified service partners consult, implement and run it for you.",
                "button_label": "查找服务伙伴" if zh else "Find a service partner",
                "button_url": "/categories/services/",
            },
        ),
    )


def seed_landing(ctx: SeedContext) -> bool:
    """One landing page under the home page; a revision is published only when it changed."""
    home = default_site().root_page.specific
    body = stream_data(_landing_body("zh"), "zh", LANDING_SLUG)
    body_en = stream_data(_landing_body("en"), "en", LANDING_SLUG)
    page = LandingPage.objects.child_of(home).filter(slug=LANDING_SLUG).first()
    if page is None:
        page = LandingPage(slug=LANDING_SLUG, title=LANDING_TITLE[0])
        home.add_child(instance=page)
    elif (
        list(page.body.raw_data) == body
        and list(page.body_en.raw_data) == body_en
        and (page.title, page.title_en) == LANDING_TITLE
        and (page.summary, page.summary_en) == LANDING_SUMMARY
        and page.live
        and not page.has_unpublished_changes
    ):
        return False
    page.title, page.title_en = LANDING_TITLE
    page.draft_title = page.title
    page.summary, page.summary_en = LANDING_SUMMARY
    page.body, page.body_en = body, body_en
    page.save_revision().publish()
    return True


def default_site() -> Site:
    return Site.objects.get(is_default_site=True)


def seed_home(ctx: SeedContext) -> bool:
    """Fill the home page; publish a revision if anything changed. Returns whether it did."""
    page = default_site().root_page.specific
    if not isinstance(page, HomePage):
        page = HomePage.objects.first()
    body, body_en = stream_data(HOME_BODY, "zh"), stream_data(HOME_BODY_EN, "en")
    unchanged = (
        list(page.body.raw_data) == body
        and list(page.body_en.raw_data) == body_en
        and (page.title, page.title_en) == HOME_TITLE
        and page.live
        and not page.has_unpublished_changes
    )
    if unchanged:
        return False
    page.title, page.title_en = HOME_TITLE
    page.draft_title = page.title
    page.body, page.body_en = body, body_en
    page.save_revision().publish()
    return True


def seed_branding(ctx: SeedContext) -> None:
    branding = BrandingSettings.for_site(default_site())
    for name, value in BRANDING.items():
        setattr(branding, name, value)
    branding.full_clean()
    branding.save()


def seed(ctx: SeedContext) -> None:
    with ctx.section("Home page and branding") as counts:
        counts["home page revisions published"] = int(seed_home(ctx))
        seed_branding(ctx)
    with ctx.section("Landing page") as counts:
        counts["landing page revisions published"] = int(seed_landing(ctx))
    with ctx.section("Ratings and reviews") as counts:
        counts.update(seed_reviews(ctx))
