"""StreamField blocks editors compose the home and landing pages from."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

COLLECTION_NEEDS_SOURCE = _("Choose some listings or a category.")


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    subheading = blocks.TextBlock(label=_("subheading"), required=False, max_length=300)
    image = ImageChooserBlock(label=_("image"), required=False)
    show_search = blocks.BooleanBlock(label=_("show the search box"), required=False, default=True)
    primary_label = blocks.CharBlock(label=_("button label"), required=False, max_length=40)
    primary_url = blocks.CharBlock(label=_("button link"), required=False, max_length=200)

    class Meta:
        icon = "pick"
        label = _("Hero")
        template = "marketplace/blocks/hero.html"


class FeaturedListingsBlock(blocks.StructBlock):
    """The best-rated live listings (newest first among equals): its template reads them with
    ``{% featured_listings %}`` (marketplace.templatetags.market)."""

    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    count = blocks.IntegerBlock(label=_("how many"), default=6, min_value=1, max_value=12)

    class Meta:
        icon = "list-ul"
        label = _("Featured listings")
        template = "marketplace/blocks/featured_listings.html"


def category_choices():
    """Every category as (slug, name), children indented under their parent (read at form time)."""
    from catalog.models import Category

    rows = Category.objects.select_related("parent").order_by("parent__position", "position", "slug")
    top = [c for c in rows if c.parent_id is None]
    children: dict[int, list] = {}
    for c in rows:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    choices = []
    for parent in top:
        choices.append((parent.slug, parent.t_name))
        choices += [(c.slug, f"— {c.t_name}") for c in children.get(parent.pk, [])]
    return choices


class ListingCollectionBlock(blocks.StructBlock):
    """Hand-picked listings (in the order chosen), or the best of a category: its template reads
    them with ``{% listing_collection value %}`` (marketplace.templatetags.market)."""

    SORTS = (
        ("rating", _("Best rated")),
        ("newest", _("Newest")),
        ("name", _("Name")),
    )

    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    intro = blocks.TextBlock(label=_("introduction"), required=False, max_length=300)
    listings = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="catalog.ListingPage", label=_("listing")),
        label=_("listings"),
        required=False,
        max_num=12,
        default=[],
    )
    category = blocks.ChoiceBlock(
        choices=category_choices,
        label=_("or a category"),
        required=False,
        help_text=_("Used when no listings are chosen: its live listings, sorted below."),
    )
    sort = blocks.ChoiceBlock(choices=SORTS, default="rating", label=_("sort a category by"))
    count = blocks.IntegerBlock(label=_("how many"), default=6, min_value=1, max_value=12)

    class Meta:
        icon = "list-ul"
        label = _("Listing collection")
        template = "marketplace/blocks/listing_collection.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("listings") and not value.get("category"):
            raise StructBlockValidationError(
                block_errors={"category": ValidationError(COLLECTION_NEEDS_SOURCE)}
            )
        return value


class CategoryGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    limit = blocks.IntegerBlock(label=_("how many"), default=8, min_value=1, max_value=24)

    class Meta:
        icon = "table"
        label = _("Category grid")
        template = "marketplace/blocks/category_grid.html"


class PartnerSpotlightBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    count = blocks.IntegerBlock(label=_("how many"), default=4, min_value=1, max_value=12)

    class Meta:
        icon = "group"
        label = _("Partner spotlight")
        template = "marketplace/blocks/partner_spotlight.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False, max_length=400)
    button_label = blocks.CharBlock(label=_("button label"), max_length=40)
    button_url = blocks.CharBlock(label=_("button link"), max_length=200)

    class Meta:
        icon = "bullhorn"
        label = _("Call to action")
        template = "marketplace/blocks/call_to_action.html"


class HomeStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    featured_listings = FeaturedListingsBlock()
    category_grid = CategoryGridBlock()
    partner_spotlight = PartnerSpotlightBlock()
    call_to_action = CallToActionBlock()
    text = blocks.RichTextBlock(label=_("text"), features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])


class LandingStreamBlock(HomeStreamBlock):
    """Everything the home page offers, plus listing collections."""

    listing_collection = ListingCollectionBlock()
