from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing import receivers

        receivers.connect()

        from billing import partner_todos
        from partners.console_todos import register

        register("billing", partner_todos.todos)
