"""Content types of the moved models follow them from ``partners`` to ``health``.

Renaming the content type (rather than letting ``migrate`` create a new one) keeps everything that
points at it: the permissions and the groups and users holding them (``partners.view_healthsnapshot``
becomes ``health.view_healthsnapshot`` for the same groups), Wagtail's audit log of health settings
and metric changes, and revisions. Where both exist (a database that already saw the health app),
the old one's permissions are merged into the new one's and its log entries re-pointed.
"""

from django.db import migrations

MODELS = (
    "atriskflag",
    "generatedreport",
    "healthmetric",
    "healthrun",
    "healthsettings",
    "healthsnapshot",
    "vendorrevenue",
)


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(twin)
            for user in permission.user_set.all():
                user.user_permissions.add(twin)
            permission.delete()
        ModelLogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def forwards(apps, schema_editor):
    _move(apps, "partners", "health")


def backwards(apps, schema_editor):
    _move(apps, "health", "partners")


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
