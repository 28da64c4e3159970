"""Create the partner directory page (/partners/) under the home page, if it is missing.

Historical models only, so treebeard's API is not available: the path is computed by hand
(the parent's path plus the next 4-character base-36 step) and the parent's numchild updated,
like marketplace.0002_create_homepage.
"""

from django.db import migrations
from django.utils import timezone

STEP = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _encode(number: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEP, "0")


def create_partners_index(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    PartnersIndexPage = apps.get_model("partners.PartnersIndexPage")

    if PartnersIndexPage.objects.exists():
        return
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page if site else Page.objects.filter(depth=2, slug="home").first()
    if home is None:
        return  # no site yet: the seed (or an editor) creates the directory page
    if Page.objects.filter(depth=home.depth + 1, path__startswith=home.path, slug="partners").exists():
        return  # an existing page owns /partners/: leave it to an editor

    last_child = (
        Page.objects.filter(depth=home.depth + 1, path__startswith=home.path).order_by("-path").first()
    )
    step = int(last_child.path[-STEP:], len(ALPHABET)) + 1 if last_child else 1
    content_type, _created = ContentType.objects.get_or_create(app_label="partners", model="partnersindexpage")
    PartnersIndexPage.objects.create(
        title="合作伙伴目录",
        title_en="Partner directory",
        draft_title="合作伙伴目录",
        slug="partners",
        intro="寻找经过认证的 ISV、服务商与渠道合作伙伴。",
        intro_en="Find certified ISVs, service partners and channel partners.",
        content_type=content_type,
        path=home.path + _encode(step),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}partners/",
        locale_id=home.locale_id,
        live=True,
        has_unpublished_changes=False,
        first_published_at=timezone.now(),
        last_published_at=timezone.now(),
    )
    home.numchild = Page.objects.filter(depth=home.depth + 1, path__startswith=home.path).count()
    home.save(update_fields=["numchild"])


def remove_partners_index(apps, schema_editor):
    PartnersIndexPage = apps.get_model("partners.PartnersIndexPage")
    Page = apps.get_model("wagtailcore.Page")
    for index in PartnersIndexPage.objects.filter(numchild=0):
        parent_path = index.path[: -STEP]
        index.delete()
        parent = Page.objects.filter(path=parent_path).first()
        if parent is not None:
            parent.numchild = Page.objects.filter(depth=parent.depth + 1, path__startswith=parent.path).count()
            parent.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_onboarding"),
        # The home page (the directory's parent) and the default site are created there.
        ("marketplace", "0002_create_homepage"),
    ]

    operations = [migrations.RunPython(create_partners_index, remove_partners_index)]
