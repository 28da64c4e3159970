from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("marketplace.HomePage")

    # Wagtail's own placeholder ("Welcome to your new Wagtail site!") goes.
    page_ct = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_ct, slug="home", depth=2).delete()
    Site.objects.all().delete()
    root = Page.objects.get(depth=1)

    locale = Locale.objects.order_by("pk").first()
    homepage_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="marketplace")
    homepage = HomePage.objects.create(
        title="Symbio 生态市场",
        title_en="Symbio Marketplace",
        draft_title="Symbio 生态市场",
        slug="home",
        content_type=homepage_ct,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        body="[]",
        body_en="[]",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.create(hostname="localhost", port=80, root_page=homepage, is_default_site=True,
                        site_name="Symbio")


def remove_homepage(apps, schema_editor):
    apps.get_model("marketplace.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
