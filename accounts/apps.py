from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.signals import sync_staff_groups

        # Sent once per app; sync after the last app so every permission exists.
        post_migrate.connect(sync_staff_groups, dispatch_uid="accounts.sync_staff_groups")
