"""factory_boy factories for the partner programme; any test may import them:

    from tests.factories.partners import PartnerFactory, provisioned_partner

- ``RegionFactory()`` / ``IndustryFactory()`` — taxonomy rows.
- ``TierFactory(kind=..., rank=...)`` — get-or-create by (kind, rank); ``entry_tier(kind)``.
- ``PartnerFactory()`` — a partner organisation (no members) with its ``Partner`` profile,
  kind ISV, entry tier of its kind. No page: ``provisioned_partner(...)`` also builds its
  ``PartnerPage``, Wagtail group and collection (through the onboarding service), with an
  owner and, optionally, plain members; ``owner_of(partner)`` is that owner.
- ``ApplicationFactory()`` — a submitted application (no documents, no flags); use
  ``partners.services.onboarding.submit_application`` when a test is about submitting.
- ``pdf_upload()`` / ``png_upload()`` / ``docx_upload()`` — valid small uploads.
"""

import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from partners.models import Industry, Partner, PartnerApplication, PartnerKind, Region, Tier
from partners.services import workspace
from tests.factories.accounts import MembershipFactory, PartnerOrganisationFactory, UserFactory
from tests.unit.accounts.helpers import enrol_totp

__all__ = [
    "ApplicationFactory",
    "IndustryFactory",
    "PartnerFactory",
    "RegionFactory",
    "TierFactory",
    "docx_upload",
    "entry_tier",
    "owner_of",
    "pdf_upload",
    "png_upload",
    "provisioned_partner",
]


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"地区 {n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"industry-{n}")
    name = factory.Sequence(lambda n: f"行业 {n}")
    name_en = factory.Sequence(lambda n: f"Industry {n}")


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("kind", "rank")

    kind = PartnerKind.ISV
    rank = 0
    slug = factory.LazyAttribute(lambda o: f"rank-{o.rank}")
    name = factory.LazyAttribute(lambda o: f"等级 {o.rank}")
    name_en = factory.LazyAttribute(lambda o: f"Rank {o.rank}")
    colour = "#64748b"


def entry_tier(kind) -> Tier:
    return TierFactory(kind=kind, rank=0)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    organisation = factory.SubFactory(
        PartnerOrganisationFactory, website=factory.Sequence(lambda n: f"https://p{n}.example.cn")
    )
    kind = PartnerKind.ISV
    tier = factory.LazyAttribute(lambda o: entry_tier(o.kind))
    tagline = factory.Sequence(lambda n: f"标语 {n}")
    tagline_en = factory.Sequence(lambda n: f"Tagline {n}")
    description = "我们帮助企业数字化。"
    description_en = "We help companies go digital."
    joined_on = factory.LazyFunction(timezone.localdate)


def provisioned_partner(*, owner=None, members=(), **partner_kwargs) -> Partner:
    """A partner with its page, group and collection, an owner and optional plain members."""
    partner = PartnerFactory(**partner_kwargs)
    owner = owner or UserFactory()
    MembershipFactory(user=owner, organisation=partner.organisation, role=Role.OWNER)
    enrol_totp(owner)  # partner owners need two-factor before the console (accounts.mfa)
    for member in members:
        MembershipFactory(user=member, organisation=partner.organisation, role=Role.MEMBER)
    workspace.provision_partner_workspace(partner=partner, owner=owner, publish_revision=False)
    partner.refresh_from_db()
    return partner


def owner_of(partner):
    """The owner (a user) of ``partner``'s organisation."""
    return partner.organisation.memberships.get(role=Role.OWNER).user


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerApplication
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory)
    company_name = factory.Sequence(lambda n: f"申请公司 {n}")
    company_name_en = factory.Sequence(lambda n: f"Applicant Co {n}")
    kind = PartnerKind.SERVICE
    contact_name = "王小明"
    contact_email = factory.Sequence(lambda n: f"contact@applicant{n}.example.cn")
    website = factory.Sequence(lambda n: f"https://www.applicant{n}.example.cn/")
    description = "我们提供实施服务。"
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def keys(obj, create, extracted, **kwargs):
        from partners.services.onboarding import _set_keys

        _set_keys(obj)
        if create:
            obj.save(update_fields=["name_key", "email_domain", "website_domain"])


# --- uploads ------------------------------------------------------------------------------


def pdf_upload(name="licence.pdf", size=None) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        body = body + b"0" * (size - len(body))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_upload(name="logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")


def docx_upload(name="profile.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")
