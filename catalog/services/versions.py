"""Versions and release notes. A new version is public at once and moves "last updated"."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import ListingPage, ListingVersion
from catalog.services.listings import mark_updated

VERSION_REQUIRED = _("Enter a version number, e.g. 2.4.0.")
VERSION_EXISTS = _("Version %(version)s already exists for this listing.")
RELEASE_IN_FUTURE = _("The release date cannot be in the future.")


@transaction.atomic
def add_version(
    *, listing: ListingPage, version: str, released_on=None, notes: str = "", notes_en: str = "", user=None
) -> ListingVersion:
    version = (version or "").strip()
    released_on = released_on or timezone.localdate()
    if not version:
        raise ValidationError({"version": VERSION_REQUIRED}, code="required")
    if ListingVersion.objects.filter(listing=listing, version=version).exists():
        raise ValidationError({"version": VERSION_EXISTS % {"version": version}}, code="exists")
    if released_on > timezone.localdate():
        raise ValidationError({"released_on": RELEASE_IN_FUTURE}, code="future")
    release = ListingVersion(
        listing=listing,
        version=version,
        released_on=released_on,
        notes=notes.strip(),
        notes_en=notes_en.strip(),
        created_by=user,
    )
    release.full_clean()
    release.save()
    mark_updated(listing_id=listing.pk)
    return release
