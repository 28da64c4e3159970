"""StreamField blocks editors compose the home and landing pages from."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


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
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    count = blocks.IntegerBlock(label=_("how many"), default=6, min_value=1, max_value=12)

    class Meta:
        icon = "list-ul"
        label = _("Featured listings")
        template = "marketplace/blocks/featured_listings.html"


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
