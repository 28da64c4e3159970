"""Issue #18 leftovers: the programme heading reads naturally in Chinese around a brand name that
ends in Chinese (English unchanged), and the old listing-card include is gone."""

from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from themes.models import BrandingSettings
from themes.templatetags.symbio import cjk_spacing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("成为 Symbio 生态市场 伙伴", "成为 Symbio 生态市场伙伴"),
        ("成为 Symbio 伙伴", "成为 Symbio 伙伴"),
        ("Become a Symbio Marketplace partner", "Become a Symbio Marketplace partner"),
        ("云帆 ， 伙伴", "云帆，伙伴"),
    ],
)
def test_cjk_spacing_drops_only_spaces_between_chinese_characters(text, expected):
    assert cjk_spacing(text) == expected


def _heading(html: str) -> str:
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_programme_heading_has_no_space_between_the_chinese_brand_and_partner(client):
    from wagtail.models import Site

    branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
    branding.site_name, branding.site_name_en = "Symbio 生态市场", "Symbio Marketplace"
    branding.save()

    assert _heading(client.get("/partners/apply/").content.decode()) == "成为 Symbio 生态市场伙伴"
    assert (
        _heading(client.get("/en/partners/apply/").content.decode()) == "Become a Symbio Marketplace partner"
    )


def test_the_unused_listing_card_include_is_gone():
    with pytest.raises(TemplateDoesNotExist):
        get_template("marketplace/includes/listing_card.html")
    root = Path(__file__).resolve().parents[3]
    for path in root.glob("*/templates/**/*.html"):
        assert "includes/listing_card.html" not in path.read_text(encoding="utf-8"), path
