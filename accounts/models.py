"""People and organisations: users, customer and partner organisations, memberships, invitations."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.permissions import preload_permissions
from core.models import PublicIdModel, TimeStampedModel

INVITATION_VALIDITY = timedelta(days=7)


class User(AbstractUser):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.email

    # ModelBackend's two queries per user object, in one (accounts.permissions).
    def has_perm(self, perm, obj=None):
        preload_permissions(self)
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        preload_permissions(self)
        return super().has_module_perms(app_label)

    def get_all_permissions(self, obj=None):
        preload_permissions(self)
        return super().get_all_permissions(obj)


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country or region"), max_length=80, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        from core.i18n import is_english

        return (self.name_en or self.name) if is_english() else self.name

    @classmethod
    def unique_slug(cls, base: str) -> str:
        root = slugify(base, allow_unicode=False)[:60] or "org"
        slug, n = root, 2
        while cls.objects.filter(slug=slug).exists():
            slug = f"{root}-{n}"
            n += 1
        return slug


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


MANAGER_ROLES = (Role.OWNER, Role.ADMIN)


class Membership(PublicIdModel, TimeStampedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org"),
        ]
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGER_ROLES


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _default_expiry():
    return timezone.now() + INVITATION_VALIDITY


class Invitation(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The invitation email is written in this language."),
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"), default=_default_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        """Neither accepted nor revoked (it may still have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_usable(self) -> bool:
        return self.is_pending and not self.is_expired

    @property
    def status(self) -> "Invitation.Status":
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.is_expired:
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.status.label
