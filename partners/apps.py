from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from accounts.models import Membership
        from partners import console_todos, signals  # noqa: F401 - console_todos registers the programme's to-dos
        from partners.models import PartnerPage, PartnersIndexPage, PartnerWorkspace
        from partners.selectors.directory import directory_filterset, partner_profile

        # What the directory and profile pages read, from the selectors above the models.
        PartnersIndexPage.directory_filterset = staticmethod(directory_filterset)
        PartnerPage.partner_profile = staticmethod(partner_profile)

        post_save.connect(
            signals.membership_saved, sender=Membership, dispatch_uid="partners.membership_saved"
        )
        post_delete.connect(
            signals.membership_deleted, sender=Membership, dispatch_uid="partners.membership_deleted"
        )
        post_delete.connect(
            signals.workspace_deleted, sender=PartnerWorkspace, dispatch_uid="partners.workspace_deleted"
        )
