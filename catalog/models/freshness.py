"""Delisting: staff take a stale (or otherwise unfit) listing off the catalogue, with a reason."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models.listings import ListingPage


class ListingDelisting(models.Model):
    """The record of one delisting (the page keeps ``delisted_at`` / ``delist_reason`` until it is
    published again)."""

    listing = models.ForeignKey(ListingPage, on_delete=models.CASCADE, related_name="delistings")
    reason = models.TextField(_("reason"))
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delisted_at = models.DateTimeField(_("delisted"), default=timezone.now)
    last_updated_at = models.DateTimeField(_("last updated at the time"), null=True, blank=True)

    class Meta:
        ordering = ["-delisted_at", "-pk"]
        verbose_name = _("delisting")
        verbose_name_plural = _("delistings")

    def __str__(self):
        return f"{self.listing} ({self.delisted_at:%Y-%m-%d})"
