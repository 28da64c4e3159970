"""Catalogue test data; any test may import it:

    from tests.factories.catalog import complete_listing, image, submit

- ``png_bytes()`` / ``image(collection=None)`` — a real (tiny) PNG, and a Wagtail image of it.
- ``complete_listing(partner, **changes)`` — a listing under the partner's page that passes every
  pre-check (a draft with one revision unless ``publish=True``); ``changes`` override fields
  (``plans=[...]``, ``screenshots=0``, ``tags=[...]``, ``description="text"``).
- ``submit(page, user)`` — start the "Listing review" workflow as ``user``, as the editor does.

The page editor's form data and URLs are in ``tests.unit.catalog.helpers``.
"""

import io
from decimal import Decimal

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

from catalog.models import Category, ListingPage, ListingPlan, ListingScreenshot, ListingType, PricingModel

__all__ = [
    "DESCRIPTION",
    "DESCRIPTION_EN",
    "category",
    "complete_listing",
    "image",
    "plan",
    "png_bytes",
    "submit",
]

DESCRIPTION = (
    "星河财务云帮助零售与制造企业完成移动报销、差旅管理与费用管控，审批流程可视化配置，"
    "报表按月自动生成，并与平台单点登录，开箱即用，按需订阅，数据保存在合规的云端。"
)
DESCRIPTION_EN = (
    "Galaxy Finance Cloud handles mobile expense claims, travel and spend control for retailers "
    "and manufacturers, with visual approval flows, monthly reports and single sign-on."
)


def png_bytes(size=(32, 20), colour="#0ea5e9") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def image(title="Screenshot", collection=None):
    Image = get_image_model()
    kwargs = {"collection": collection} if collection is not None else {}
    return Image.objects.create(
        title=title, file=ImageFile(io.BytesIO(png_bytes()), name="shot.png"), **kwargs
    )


def category(slug="finance-expenses"):
    parent, _ = Category.objects.get_or_create(
        slug="finance", defaults={"name": "财务管理", "name_en": "Finance"}
    )
    child, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": "费用报销", "name_en": "Expense management", "parent": parent}
    )
    return child


def plan(**fields) -> ListingPlan:
    values = {
        "name": "标准版",
        "name_en": "Standard",
        "pricing_model": PricingModel.FLAT_MONTHLY,
        "price_cny": Decimal("299.00"),
        "price_usd": Decimal("42.00"),
        "features": "不限用户数\n移动审批",
        "features_en": "Unlimited users\nMobile approvals",
    }
    values.update(fields)
    return ListingPlan(**values)


def _stream(text):
    return [("heading", "产品概述"), ("paragraph", RichText(f"<p>{text}</p>"))] if text else []


def complete_listing(partner, *, publish=False, user=None, screenshots=1, plans=None, tags=(), **changes):
    slug = changes.pop("slug", None) or f"listing-{ListingPage.objects.count() + 1}"
    collection = getattr(getattr(partner, "workspace", None), "collection", None)
    fields = {
        "title": "星河财务云",
        "title_en": "Galaxy Finance Cloud",
        "slug": slug,
        "listing_type": ListingType.SAAS,
        "tagline": "移动报销与费用管控",
        "tagline_en": "Mobile expenses and spend control",
        "description": DESCRIPTION,
        "description_en": DESCRIPTION_EN,
        "logo": image("Logo", collection),
        "support_email": "support@galaxy.example.cn",
        "support_url": "https://galaxy.example.cn/support/",
        "documentation_url": "https://galaxy.example.cn/docs/",
        "privacy_url": "https://galaxy.example.cn/privacy/",
        "terms_url": "https://galaxy.example.cn/terms/",
        "live": publish,
    }
    fields.update(changes)
    fields["description"] = _stream(fields["description"])
    fields["description_en"] = _stream(fields["description_en"])
    categories = fields.pop("categories", None)
    page = ListingPage(**fields)
    page.categories = [category()] if categories is None else categories
    page.plans = [plan()] if plans is None else plans
    page.screenshots = [ListingScreenshot(image=image(f"Shot {n}", collection)) for n in range(screenshots)]
    if tags:
        page.tags.add(*tags)
    partner.page.add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def submit(page, user):
    """Save a revision and start the page's workflow, like the editor's "Submit" button."""
    page = ListingPage.objects.get(pk=page.pk)
    page.save_revision(user=user)
    return page.get_workflow().start(page, user)
