from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts import admin_auth
from core.health import healthz
from marketplace.sitemaps import MarketplaceSitemap

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("billing/", include("billing.urls")),  # the Stripe webhook, outside the language prefix
    path("api/v1/", include("api.urls")),  # the partner REST API (language from Accept-Language)
    # One way in: Wagtail's own login, logout and password reset hand over to allauth.
    path("admin/login/", admin_auth.admin_login, name="admin_login_redirect"),
    path("admin/logout/", admin_auth.admin_logout, name="admin_logout"),
    re_path(r"^admin/password_reset/(?P<rest>.*)$", admin_auth.admin_password_reset),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": MarketplaceSitemap}}, name="sitemap"),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("partners/console/health/", include("health.urls")),
    path("partners/console/deals/", include("cosell.urls")),
    path("partners/api/", include("api.console_urls")),
    path("partners/", include("partners.urls")),
    path("demand/", include("demand.urls")),
    path("search/", include("marketplace.urls.search")),
    path("billing/partner/", include("billing.partner_urls")),
    path("incentives/", include("incentives.urls")),
    path("billing/", include("marketplace.urls.purchase")),
    path("", include("marketplace.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler500 = "core.errors.server_error"  # database unreachable: 503, not 500
