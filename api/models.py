"""API keys (per partner, scoped, shown once) and the stored responses of idempotent POSTs."""

import hashlib
import ipaddress

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import PublicIdModel, TimeStampedModel

#: The date-based API versions (newest last). A key is pinned to the version current when it
#: was created; a request may ask for another with the ``Symbio-Version`` header.
API_VERSIONS = ("2026-12-01",)
CURRENT_API_VERSION = API_VERSIONS[-1]


class Scope(models.TextChoices):
    LISTINGS_READ = "listings:read", _("Read listings and plans")
    LISTINGS_WRITE = "listings:write", _("Change listings")
    ENTITLEMENTS_READ = "entitlements:read", _("Read subscriptions and entitlements")
    USAGE_WRITE = "usage:write", _("Report metered usage")
    PAYOUTS_READ = "payouts:read", _("Read transactions, statements and payouts")
    REVIEWS_REPLY = "reviews:reply", _("Reply to reviews")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage webhook endpoints and read events")
    PARTNER_READ = "partner:read", _("Read the partner profile and tier")
    LEADS_READ = "leads:read", _("Read leads")
    LEADS_WRITE = "leads:write", _("Reply to leads and change their state")
    DEMAND_READ = "demand:read", _("Read requirements and your proposals")
    PROPOSALS_WRITE = "proposals:write", _("Submit proposals for requirements")
    CERTIFICATIONS_WRITE = "certifications:write", _("Import certified people")
    DEALS_READ = "deals:read", _("Read deal registrations")
    DEALS_WRITE = "deals:write", _("Register and update deals")
    INCENTIVES_READ = "incentives:read", _("Read fund requests and balances")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(PublicIdModel, TimeStampedModel):
    """A partner's API key: ``symb_<prefix>_<secret>``. Only the prefix and the SHA-256 of the
    whole key are stored; the key itself is shown once, when it is created."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("partner")
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    allowed_ips = models.JSONField(
        _("allowed IP addresses"), default=list, blank=True, help_text=_("Empty: any address.")
    )
    api_version = models.CharField(_("API version"), max_length=10, default=CURRENT_API_VERSION)
    rate_per_second = models.PositiveSmallIntegerField(_("requests per second"), default=10)
    burst = models.PositiveSmallIntegerField(_("burst"), default=20)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Set for an OAuth 2.0 client (client credentials): the key is never shown; its client's
    #: access tokens act with its partner, scopes, expiry, allow-list and rate limit.
    oauth_application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_key",
        verbose_name=_("OAuth client"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} (symb_{self.prefix}_…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def allows_ip(self, address: str) -> bool:
        if not self.allowed_ips:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        for network in self.allowed_ips:
            try:
                if ip in ipaddress.ip_network(network, strict=False):
                    return True
            except ValueError:
                continue
        return False


class IdempotentResponse(models.Model):
    """The response to a POST sent with an ``Idempotency-Key``, replayed for 24 hours."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # null while the first request runs
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="api_one_response_per_idempotency_key")
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"


class ChangeSet(PublicIdModel, TimeStampedModel):
    """A partner's batch of edits to one listing, applied by a task (AWS Catalog API's change
    sets): while one runs the listing is locked (a second one is a 409); the whole set applies or
    none of it does, with an error per failing change."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        APPLYING = "applying", _("Applying")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.PREPARING, Status.APPLYING)

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey("catalog.ListingPage", on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    base_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=list)
    submit_for_review = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    errors = models.JSONField(default=list, blank=True)
    revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=models.Q(status__in=["preparing", "applying"]),
                name="api_one_running_change_set_per_listing",
            )
        ]
        verbose_name = _("change set")
        verbose_name_plural = _("change sets")

    def __str__(self):
        return f"{self.listing_id} · {self.status}"


class Export(PublicIdModel, TimeStampedModel):
    """An asynchronous CSV export of one API list (``api.exports``), downloadable until it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=40)
    updated_since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    row_count = models.PositiveIntegerField(default=0)
    content = models.BinaryField(default=b"", editable=False)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.resource} · {self.status}"
