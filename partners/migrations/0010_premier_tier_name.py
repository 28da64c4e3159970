"""The ISV "Premier" tier was called 战略 in Chinese, the same as the alliance's "Strategic":
tier filters listed 战略 twice. Premier becomes 卓越 (only where the default name is unchanged)."""

from django.db import migrations


def rename(apps, schema_editor):
    Tier = apps.get_model("partners", "Tier")
    Tier.objects.filter(kind="isv", slug="premier", name="战略").update(name="卓越")


def restore(apps, schema_editor):
    Tier = apps.get_model("partners", "Tier")
    Tier.objects.filter(kind="isv", slug="premier", name="卓越").update(name="战略")


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_webhooks")]

    operations = [migrations.RunPython(rename, restore)]
