"""``/api/v1/``: the partner REST API (outside the language prefix; the caller's language comes
from ``Accept-Language``). Every view is wrapped by :func:`api.wrappers.wrap` (body size,
idempotency, rate-limit and version headers); unknown paths answer a problem document."""

from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from oauth2_provider.views import TokenView
from rest_framework.routers import SimpleRouter

from api.changeset_views import ChangeSetViewSet, StartChangeSetView
from api.export_views import ExportViewSet
from api.problems import problem_response
from api.wrappers import wrap
from billing import api as billing_api
from catalog import api as catalog_api
from cosell import api as cosell_api
from demand import api as demand_api
from health import api as health_api
from incentives import api as incentives_api
from marketplace import api as marketplace_api
from partners import api as partners_api

app_name = "api"

router = SimpleRouter()
router.trailing_slash = "/?"  # /api/v1/listings and /api/v1/listings/ both
router.register("listings", catalog_api.ListingViewSet, basename="listing")
router.register("subscriptions", billing_api.SubscriptionViewSet, basename="subscription")
router.register("entitlements", billing_api.EntitlementViewSet, basename="entitlement")
router.register("transactions", billing_api.TransactionViewSet, basename="transaction")
router.register("statements", billing_api.StatementViewSet, basename="statement")
router.register("payouts", billing_api.PayoutViewSet, basename="payout")
router.register("usage-records", billing_api.UsageViewSet, basename="usage-record")
router.register("leads", demand_api.LeadViewSet, basename="lead")
router.register("requirements", demand_api.RequirementViewSet, basename="requirement")
router.register("proposals", demand_api.ProposalViewSet, basename="proposal")
router.register("deal-registrations", cosell_api.DealRegistrationViewSet, basename="deal-registration")
router.register("fund-requests", incentives_api.FundRequestViewSet, basename="fund-request")
router.register("reviews", marketplace_api.ReviewViewSet, basename="review")
router.register("customers", billing_api.CustomerViewSet, basename="customer")
router.register("health-snapshots", health_api.HealthSnapshotViewSet, basename="health-snapshot")
router.register("certified-people", partners_api.CertifiedPersonViewSet, basename="certified-person")
router.register("change-sets", ChangeSetViewSet, basename="change-set")
router.register("exports", ExportViewSet, basename="export")
router.register("events", partners_api.EventViewSet, basename="event")
router.register("webhook-endpoints", partners_api.WebhookEndpointViewSet, basename="webhook-endpoint")


def _wrapped(patterns):
    return [URLPattern(p.pattern, wrap(p.callback), p.default_args, p.name) for p in patterns]


def not_found(request, *args, **kwargs):
    return problem_response(404, "not_found", _("There is no such API endpoint."))


urlpatterns = [
    *_wrapped(
        [
            path("partner", partners_api.PartnerProfileView.as_view(), name="partner"),
            re_path(
                r"^listings/(?P<id>[0-9a-f-]{36})/change-sets/?$",
                StartChangeSetView.as_view(),
                name="listing-change-sets",
            ),
            path("fund-balances", incentives_api.BalanceView.as_view(), name="fund-balances"),
        ]
    ),
    *_wrapped(router.urls),
    re_path(r"^oauth/token/?$", TokenView.as_view(), name="oauth-token"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/swagger/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    re_path(r"^.*$", not_found),
]
