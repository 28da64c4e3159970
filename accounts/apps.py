from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from accounts.admin_policies import InvitationPermissionPolicy
        from accounts.models import Invitation
        from accounts.signals import sync_staff_groups

        # Sent once per app; sync after the last app so every permission exists.
        post_migrate.connect(sync_staff_groups, dispatch_uid="accounts.sync_staff_groups")
        # Before wagtail_hooks asks for a policy (Wagtail would otherwise create the default).
        register_permission_policy(Invitation, InvitationPermissionPolicy(Invitation))


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app whose user forms also edit ``display_name``.

    Listed in ``INSTALLED_APPS`` as ``accounts.apps.WagtailUsersConfig`` in place of
    ``wagtail.users`` (Wagtail 6.1+ replaced ``WAGTAIL_USER_CUSTOM_FIELDS`` and the
    ``WAGTAIL_USER_*_FORM`` settings with a custom user viewset)."""

    default = False
    user_viewset = "accounts.wagtail_users.UserViewSet"
