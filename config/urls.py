from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core.health import healthz
from marketplace.sitemaps import MarketplaceSitemap

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("billing/", include("billing.urls")),  # the Stripe webhook, outside the language prefix
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": MarketplaceSitemap}}, name="sitemap"),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("partners/", include("partners.urls")),
    path("demand/", include("demand.urls")),
    path("search/", include("marketplace.search_urls")),
    path("billing/partner/", include("billing.partner_urls")),
    path("billing/", include("marketplace.purchase_urls")),
    path("", include("marketplace.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
