from django.db import migrations

GROUP_NAMES = ["Reviewers", "Programme managers", "Finance", "Ecosystem admins"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    for name in GROUP_NAMES:
        Group.objects.get_or_create(name=name)
    # Permissions are attached after migrate by accounts.signals.sync_staff_groups, once every
    # app's permissions exist (Django creates them in post_migrate).


def remove_groups(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=GROUP_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
