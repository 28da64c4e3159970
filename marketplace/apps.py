from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from core.fragments import register_visitor_part

        register_visitor_part("compare", _compare_tray)


def _compare_tray(request) -> tuple:
    """Cards in cached fragments show whether each listing is in this visitor's compare tray."""
    from marketplace.services.compare import tray_ids

    ids = getattr(request, "_compare_ids", None)
    if ids is None:
        session = getattr(request, "session", None)
        ids = tray_ids(session) if session is not None and session.session_key else []
        request._compare_ids = ids
    return tuple(sorted(ids))
