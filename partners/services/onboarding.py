"""Partner onboarding: applications, documents, duplicate flags, review decisions and their emails.

Rules, in one place:

- A signed-in user applies; they have at most one open application (submitted or waiting
  for more information). Supporting documents are PDF, PNG, JPG or DOCX, at most 10 MB each,
  checked by extension *and* content; they go to private storage.
- Possible duplicates (same company name ignoring case and spaces, same email domain, same
  website domain as another application or a partner organisation) are stored as flags for
  the reviewer; they never block a submission.
- Reviewers and programme managers (and superusers) decide: approve (only a submitted
  application), ask for more information (submitted), reject (any open application). Each
  decision is recorded and emailed in the applicant's language after the commit.
- "More information" hands the application back: its applicant edits and resubmits it.
- Approval provisions everything in one transaction: partner organisation, owner membership,
  ``Partner`` (entry tier of its kind), ``PartnerPage`` under the directory, a Wagtail group
  with add + change (never publish) on that page's subtree and admin access, a collection for
  its images (add + choose), and the organisation's members in that group.

The workspace (page, group, collection) is built by ``partners.services.workspace``.

Every refusal raises ``ValidationError`` with one of the messages below and writes nothing.

One module because it is one workflow: the application's states, documents, duplicate flags and
decision e-mails share the rules above.
"""

import re
import zipfile
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from accounts.models import Membership, Organisation, Role
from accounts.roles import STAFF_GROUPS
from core.emails import brand_name, site_url, subject_prefix
from core.tasks import enqueue_on_commit
from partners.models import (
    ApplicationDecision,
    ApplicationDocument,
    ApplicationStatus,
    DuplicateFlag,
    Partner,
    PartnerApplication,
    Tier,
)
from partners.services.workspace import provision_partner_workspace

# --- messages (tests assert on these) ------------------------------------------------
OPEN_APPLICATION_EXISTS = _(
    "You already have an application in progress. You can follow it on its status page."
)
NOT_YOUR_APPLICATION = _("Only the person who applied can change this application.")
RESUBMIT_NOT_ALLOWED = _(
    "This application can only be changed when the reviewers have asked for more information."
)
APPROVE_NOT_ALLOWED = _("Only a submitted application can be approved.")
MORE_INFO_NOT_ALLOWED = _("More information can only be requested for a submitted application.")
REJECT_NOT_ALLOWED = _("This application has already been decided.")
MESSAGE_REQUIRED = _("Write a message to the applicant explaining the decision.")
NOT_A_REVIEWER = _("Only reviewers and programme managers can decide on applications.")
DOCUMENT_TYPE = _("“%(name)s” is not an accepted file type. Upload PDF, PNG, JPG or DOCX files.")
DOCUMENT_CONTENT = _("“%(name)s” is not a valid %(type)s file. Check the file and upload it again.")
DOCUMENT_TOO_LARGE = _("“%(name)s” is %(size)s; each document may be at most %(limit)s.")
DOCUMENT_EMPTY = _("“%(name)s” is empty.")
DOCUMENT_COUNT = _("Attach at most %(max)d documents.")
DOCUMENT_REQUIRED = _("Attach at least one supporting document, for example your business licence.")

# --- documents -----------------------------------------------------------------------
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
MAX_DOCUMENTS = 5
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_TYPES = {
    # extension: (content type, label, check of the first bytes)
    "pdf": ("application/pdf", "PDF", lambda head: head.startswith(b"%PDF-")),
    "png": ("image/png", "PNG", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", "JPG", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", "JPG", lambda head: head.startswith(b"\xff\xd8\xff")),
    "docx": (DOCX_TYPE, "DOCX", lambda head: head.startswith(b"PK\x03\x04")),
}
ACCEPTED_EXTENSIONS = ".pdf,.png,.jpg,.jpeg,.docx"

# --- duplicates ----------------------------------------------------------------------
# Shared mailbox providers say nothing about the company.
FREE_MAIL_DOMAINS = frozenset(
    {
        *("126.com", "139.com", "163.com", "aliyun.com", "foxmail.com", "gmail.com", "hotmail.com"),
        *("icloud.com", "live.com", "outlook.com", "protonmail.com", "qq.com", "sina.com", "sohu.com"),
        *("yahoo.com", "yeah.net"),
    }
)

REVIEWER_GROUPS = (STAFF_GROUPS["reviewer"].name, STAFF_GROUPS["programme_manager"].name)


# =====================================================================================
# Access
# =====================================================================================


def user_can_review_applications(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_partners_can_review", None)
    if cached is None:
        cached = user.groups.filter(name__in=REVIEWER_GROUPS).exists()
        user._partners_can_review = cached
    return cached


def applications_for_review():
    return PartnerApplication.objects.select_related("applicant", "organisation")


def get_application_for_user(user, public_id) -> PartnerApplication:
    """Its applicant and reviewers see an application; anyone else gets 404."""
    if not user.is_authenticated:
        raise Http404
    application = applications_for_review().filter(public_id=public_id).first()
    if application is None:
        raise Http404
    if application.applicant_id != user.pk and not user_can_review_applications(user):
        raise Http404
    return application


def get_application_for_review(user, public_id) -> PartnerApplication:
    if not user_can_review_applications(user):
        raise Http404
    application = applications_for_review().filter(public_id=public_id).first()
    if application is None:
        raise Http404
    return application


def get_document_for_review(user, public_id, document_id) -> ApplicationDocument:
    application = get_application_for_review(user, public_id)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    return document


def open_application_of(user) -> PartnerApplication | None:
    if not user.is_authenticated:
        return None
    return PartnerApplication.objects.filter(applicant=user, status__in=_open_statuses()).first()


def _open_statuses():
    return [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]


# =====================================================================================
# Documents
# =====================================================================================


def validate_supporting_document(upload) -> str:
    """Return the file's content type, or raise ValidationError with a clear message."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(DOCUMENT_TYPE, code="document_type", params={"name": name})
    size = upload.size or 0
    if size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            DOCUMENT_TOO_LARGE,
            code="document_size",
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(MAX_DOCUMENT_SIZE)},
        )
    if size == 0:
        raise ValidationError(DOCUMENT_EMPTY, code="document_empty", params={"name": name})
    content_type, label, looks_right = DOCUMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    valid = looks_right(head)
    if valid and extension == "docx":
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                valid = "word/document.xml" in archive.namelist()
        except zipfile.BadZipFile:
            valid = False
    upload.seek(0)
    if not valid:
        raise ValidationError(DOCUMENT_CONTENT, code="document_content", params={"name": name, "type": label})
    return content_type


def validate_supporting_documents(uploads, *, required: bool, already_attached: int = 0) -> list[str]:
    uploads = list(uploads or [])
    if required and not uploads and not already_attached:
        raise ValidationError(DOCUMENT_REQUIRED, code="documents_required")
    if len(uploads) + already_attached > MAX_DOCUMENTS:
        raise ValidationError(DOCUMENT_COUNT, code="documents_count", params={"max": MAX_DOCUMENTS})
    errors, types = [], []
    for upload in uploads:
        try:
            types.append(validate_supporting_document(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return types


def _attach_documents(application, uploads):
    for upload in uploads:
        content_type = validate_supporting_document(upload)
        document = ApplicationDocument(
            application=application,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
        )
        document.file.save(upload.name, upload, save=False)
        document.save()


# =====================================================================================
# Normalisation and duplicates
# =====================================================================================


def normalise_name(name: str) -> str:
    """Case- and space-insensitive key: ``" Acme  Software "`` and ``"acme software"`` match."""
    return "".join((name or "").split()).casefold()


def email_domain(email: str) -> str:
    return (email or "").rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def url_domain(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _company_domain(email: str) -> str:
    domain = email_domain(email)
    return "" if domain in FREE_MAIL_DOMAINS else domain


def _set_keys(application):
    application.name_key = normalise_name(application.company_name)
    application.email_domain = _company_domain(application.contact_email)
    application.website_domain = url_domain(application.website)


def _normalised_db_name(field):
    expression = Lower(field)
    for space in (" ", "\u3000", "\t"):
        expression = Replace(expression, Value(space), Value(""))
    return expression


def _organisations_with_domain(domain: str):
    pattern = rf"^(https?://)?(www\.)?{re.escape(domain)}([:/?#]|$)"
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER, website__iregex=pattern)


def find_duplicates(application) -> list[DuplicateFlag]:
    """Unsaved flags for every application or partner organisation that looks like this one."""
    flags: dict[tuple, DuplicateFlag] = {}

    def add(reason, value, *, other_application=None, organisation=None):
        key = (reason, getattr(other_application, "pk", None), getattr(organisation, "pk", None))
        if key not in flags:
            flags[key] = DuplicateFlag(
                application=application,
                reason=reason,
                matched_value=value[:200],
                matched_application=other_application,
                matched_organisation=organisation,
            )

    others = PartnerApplication.objects.exclude(pk=application.pk).order_by("pk")
    names = {
        k
        for k in (normalise_name(application.company_name), normalise_name(application.company_name_en))
        if k
    }
    if names:
        other_names = others.annotate(en_key=_normalised_db_name("company_name_en")).filter(
            Q(name_key__in=names) | Q(en_key__in=names)
        )
        for other in other_names:
            add(DuplicateFlag.Reason.COMPANY_NAME, other.company_name, other_application=other)
        organisations = (
            Organisation.objects.filter(kind=Organisation.Kind.PARTNER)
            .annotate(key=_normalised_db_name("name"), en_key=_normalised_db_name("name_en"))
            .filter(Q(key__in=names) | Q(en_key__in=names))
            .order_by("pk")
        )
        for organisation in organisations:
            add(DuplicateFlag.Reason.COMPANY_NAME, organisation.name, organisation=organisation)

    for reason, domain in (
        (DuplicateFlag.Reason.EMAIL_DOMAIN, application.email_domain),
        (DuplicateFlag.Reason.WEBSITE_DOMAIN, application.website_domain),
    ):
        if not domain:
            continue
        for other in others.filter(Q(email_domain=domain) | Q(website_domain=domain)):
            add(reason, domain, other_application=other)
        for organisation in _organisations_with_domain(domain).order_by("pk"):
            add(reason, domain, organisation=organisation)
    return list(flags.values())


def flag_duplicates(*, application) -> list[DuplicateFlag]:
    application.duplicate_flags.all().delete()
    return DuplicateFlag.objects.bulk_create(find_duplicates(application))


# =====================================================================================
# Applicant: submit and resubmit
# =====================================================================================

APPLICATION_FIELDS = (
    "company_name",
    "company_name_en",
    "kind",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
    "description",
    "description_en",
)


def _language(language: str | None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    if language in codes:
        return language
    return next((code for code in codes if language.startswith(code.split("-")[0])), settings.LANGUAGE_CODE)


def _fill(application, fields: dict):
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown application fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    _set_keys(application)


@transaction.atomic
def submit_application(
    *, applicant, regions=(), industries=(), documents=(), language: str | None = None, **fields
) -> PartnerApplication:
    """Create a submitted application from the form's fields (see ``APPLICATION_FIELDS``)."""
    # Lock the applicant so two submissions at once cannot both pass the check below.
    get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()
    if PartnerApplication.objects.filter(applicant=applicant, status__in=_open_statuses()).exists():
        raise ValidationError(OPEN_APPLICATION_EXISTS, code="open_application_exists")
    validate_supporting_documents(documents, required=True)
    application = PartnerApplication(
        applicant=applicant,
        language=_language(language),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    _fill(application, fields)
    application.full_clean()
    application.save()
    application.regions.set(regions)
    application.industries.set(industries)
    flag_duplicates(application=application)
    # Last, so a failure before it leaves no stored file behind.
    _attach_documents(application, documents)
    return application


@transaction.atomic
def resubmit_application(
    *, application, applicant, regions=(), industries=(), documents=(), language: str | None = None, **fields
) -> PartnerApplication:
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != applicant.pk:
        raise ValidationError(NOT_YOUR_APPLICATION, code="not_applicant")
    if application.status != ApplicationStatus.MORE_INFO:
        raise ValidationError(RESUBMIT_NOT_ALLOWED, code="not_editable")
    validate_supporting_documents(documents, required=False, already_attached=application.documents.count())
    _fill(application, fields)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.submission_count += 1
    if language:
        application.language = _language(language)
    application.full_clean()
    application.save()
    application.regions.set(regions)
    application.industries.set(industries)
    flag_duplicates(application=application)
    # Last, so a failure before it leaves no stored file behind.
    _attach_documents(application, documents)
    return application


# =====================================================================================
# Reviewer: decisions
# =====================================================================================


def _lock(application) -> PartnerApplication:
    locked = PartnerApplication.objects.select_for_update(of=("self",)).select_related("applicant")
    return locked.get(pk=application.pk)


def _require_reviewer(reviewer):
    if reviewer is not None and not user_can_review_applications(reviewer):
        raise ValidationError(NOT_A_REVIEWER, code="not_reviewer")


def _record_decision(application, kind, *, reviewer, message) -> ApplicationDecision:
    decision = ApplicationDecision(application=application, kind=kind, message=message, decided_by=reviewer)
    decision.full_clean()
    decision.save()
    # Audit log (Wagtail's site history): who decided what, and the message as the reason.
    log(
        instance=application,
        action=f"partners.application_{kind}",
        user=reviewer,
        data={"company": application.company_name, "decision": kind, "reason": message},
    )
    enqueue_on_commit("partners.tasks.onboarding.send_application_decision_email", decision.pk)
    return decision


@transaction.atomic
def request_more_information(*, application, reviewer, message: str) -> ApplicationDecision:
    _require_reviewer(reviewer)
    application = _lock(application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(MORE_INFO_NOT_ALLOWED, code="not_submitted")
    if not (message or "").strip():
        raise ValidationError(MESSAGE_REQUIRED, code="message_required")
    application.status = ApplicationStatus.MORE_INFO
    application.save(update_fields=["status", "updated_at"])
    return _record_decision(
        application, ApplicationDecision.Kind.MORE_INFO, reviewer=reviewer, message=message
    )


@transaction.atomic
def reject_application(*, application, reviewer, message: str) -> ApplicationDecision:
    _require_reviewer(reviewer)
    application = _lock(application)
    if application.status not in _open_statuses():
        raise ValidationError(REJECT_NOT_ALLOWED, code="already_decided")
    if not (message or "").strip():
        raise ValidationError(MESSAGE_REQUIRED, code="message_required")
    application.status = ApplicationStatus.REJECTED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    return _record_decision(application, ApplicationDecision.Kind.REJECT, reviewer=reviewer, message=message)


@transaction.atomic
def approve_application(*, application, reviewer, message: str = "") -> Partner:
    """Everything or nothing: organisation, owner, partner, page, group, collection."""
    _require_reviewer(reviewer)
    application = _lock(application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(APPROVE_NOT_ALLOWED, code="not_submitted")

    organisation = _create_partner_organisation(application)
    membership = Membership(user=application.applicant, organisation=organisation, role=Role.OWNER)
    membership.full_clean()
    membership.save()
    partner = _create_partner(application, organisation)
    provision_partner_workspace(partner=partner, publisher=reviewer, owner=application.applicant)

    application.status = ApplicationStatus.APPROVED
    application.decided_at = timezone.now()
    application.organisation = organisation
    application.save(update_fields=["status", "decided_at", "organisation", "updated_at"])
    _record_decision(application, ApplicationDecision.Kind.APPROVE, reviewer=reviewer, message=message or "")
    return partner


def _organisation_slug(application) -> str:
    base = application.company_name_en or application.company_name
    if not slugify(base, allow_unicode=False):
        base = f"partner-{application.public_id.hex[:8]}"
    return Organisation.unique_slug(base)


def _create_partner_organisation(application) -> Organisation:
    organisation = Organisation(
        name=application.company_name,
        name_en=application.company_name_en,
        kind=Organisation.Kind.PARTNER,
        website=application.website,
        slug=_organisation_slug(application),
    )
    organisation.full_clean()
    organisation.save()
    return organisation


def entry_tier(kind: str) -> Tier | None:
    return Tier.objects.filter(kind=kind, rank=0).first()


def _create_partner(application, organisation) -> Partner:
    partner = Partner(
        organisation=organisation,
        kind=application.kind,
        tier=entry_tier(application.kind),
        description=application.description,
        description_en=application.description_en,
        joined_on=timezone.localdate(),
    )
    partner.full_clean()
    partner.save()
    partner.regions.set(application.regions.all())
    partner.industries.set(application.industries.all())
    return partner


# =====================================================================================
# Email
# =====================================================================================

EMAIL_TEMPLATES = {
    ApplicationDecision.Kind.APPROVE: "approved",
    ApplicationDecision.Kind.MORE_INFO: "more_info",
    ApplicationDecision.Kind.REJECT: "rejected",
}


def _site_url() -> str:
    return site_url().rstrip("/")


def send_decision_email(*, decision_id: int) -> bool:
    """Email one decision to the applicant in their language; once (idempotent on retry)."""
    decision = (
        ApplicationDecision.objects.select_related("application__applicant", "application__organisation")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.emailed_at is not None:
        return False
    application = decision.application
    name = EMAIL_TEMPLATES[decision.kind]
    with translation.override(application.language):
        context = {
            "application": application,
            "decision": decision,
            "status_url": _site_url() + reverse("partners:application", args=[application.public_id]),
            "edit_url": _site_url() + reverse("partners:application_edit", args=[application.public_id]),
            "admin_url": _site_url() + reverse("wagtailadmin_home"),
            "site_url": _site_url(),
            "brand": brand_name(),
        }
        subject = subject_prefix() + " ".join(
            render_to_string(f"partners/emails/application_{name}_subject.txt", context).split()
        )
        body = render_to_string(f"partners/emails/application_{name}.txt", context)
        html = render_to_string(f"partners/emails/application_{name}.html", context)
    recipients = list(dict.fromkeys(e for e in (application.applicant.email, application.contact_email) if e))
    message = EmailMultiAlternatives(subject=subject, body=body, to=recipients)
    message.attach_alternative(html, "text/html")
    message.send()
    ApplicationDecision.objects.filter(pk=decision.pk).update(emailed_at=timezone.now())
    return True
