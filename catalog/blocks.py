"""StreamField blocks of a listing's description, and the plain text the pre-checks read."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]
TEXT_BLOCKS = ("heading", "paragraph")


class DescriptionBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(max_length=120, label=_("Heading"), icon="title")
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    image = ImageBlock(label=_("Image"))

    class Meta:
        label = _("Description")


def stream_text(value) -> str:
    """The readable text of a description (headings and paragraphs; markup stripped)."""
    if not value:
        return ""
    parts = []
    for child in value:
        if child.block_type in TEXT_BLOCKS:
            parts += child.block.get_searchable_content(child.value)
    return "\n".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
