from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "demand"
    verbose_name = _("Demand")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from demand.services.facts import ensure_metrics

        post_migrate.connect(ensure_metrics, sender=self, dispatch_uid="demand.ensure_metrics")

        from demand import partner_todos
        from partners.console_todos import register

        register("demand", partner_todos.todos)
