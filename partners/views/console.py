"""Partner-facing programme views: tier progress, certifications (owned by the programme work).

The console always shows the **active organisation** (``request.organisation``, chosen in the
account menu). A user whose active organisation is not a partner gets 404; uploading
certification records needs the owner or admin role of that partner (403 for members).
Import jobs are looked up by UUID *within the active partner*, so another partner's job is 404.
"""

import contextlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from partners import console_todos
from partners.forms.programme import CertificationImportForm
from partners.models import ImportJob, ProgrammeSettings
from partners.selectors import programme as selectors
from partners.services import certifications as certification_services


def _console_partner(request):
    """(membership, partner) for the active organisation, or 404."""
    membership = request.membership
    partner = selectors.partner_for_member(membership=membership) if membership else None
    if partner is None:
        raise Http404
    return membership, partner


def _organisation_url(slug: str) -> str | None:
    """The organisation page, where owners and admins manage members and invitations."""
    try:
        return reverse("accounts:organisation_detail", kwargs={"slug": slug})
    except NoReverseMatch:
        return None


ROLE_ORDER = {Role.OWNER: 0, Role.ADMIN: 1, Role.MEMBER: 2}


def _members(partner) -> list:
    """Owners first, then admins, then members (the query sorts roles alphabetically)."""
    return sorted(selectors.members(partner=partner), key=lambda m: (ROLE_ORDER.get(m.role, 9), m.user.email))


def _job_errors(job: ImportJob) -> list[dict]:
    """Row errors with their reasons translated into the active language."""
    out = []
    for error in job.errors:
        reason = _(error.get("reason", ""))
        params = error.get("params") or {}
        with contextlib.suppress(KeyError, TypeError, ValueError):
            reason = reason % params if params else reason
        out.append({"line": error.get("line"), "reason": reason})
    return out


def _console(request, *, form=None, status=200):
    membership, partner = _console_partner(request)
    can_manage = membership.can_manage
    settings = ProgrammeSettings.load()
    progress = selectors.next_tier_progress(partner=partner)
    within = settings.certification_reminder_days
    expiring = list(selectors.expiring_certifications(partner=partner, within_days=within))
    demotion = selectors.waiting_demotion(partner=partner)
    requirements = selectors.current_tier_requirements(partner=partner)
    context = {
        "partner": partner,
        "membership": membership,
        "can_manage": can_manage,
        "progress": progress,
        "members": _members(partner),
        "organisation_url": _organisation_url(partner.organisation.slug),
        "people": list(selectors.certified_people(partner=partner)),
        "expiring": expiring,
        "expired_ids": set(selectors.expired_certifications(partner=partner).values_list("pk", flat=True)),
        "requirements": requirements,
        "todos": console_todos.todos_for(partner=partner, membership=membership),
        "reminder_days": settings.certification_reminder_days,
        "demotion": demotion,
        "imports": selectors.recent_imports(partner=partner) if can_manage else [],
        "form": form if form is not None else (CertificationImportForm() if can_manage else None),
        "history": list(selectors.tier_history(partner=partner)[:10]),
        "today": timezone.localdate(),
    }
    return render(request, "partners/console/overview.html", context, status=status)


@login_required
@require_GET
def console(request):
    return _console(request)


@login_required
@require_POST
def import_certifications(request):
    membership, partner = _console_partner(request)
    if not membership.can_manage:
        raise PermissionDenied
    form = CertificationImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _console(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    job = certification_services.create_import_job(partner=partner, user=request.user, upload=upload)
    return redirect("partners:console-import-job", public_id=job.public_id)


def _job_for(request, public_id) -> ImportJob:
    membership, partner = _console_partner(request)
    job = get_object_or_404(ImportJob.objects.defer("content"), public_id=public_id, partner=partner)
    if not membership.can_manage:
        raise PermissionDenied
    return job


@login_required
@require_GET
def import_job(request, public_id):
    job = _job_for(request, public_id)
    return render(
        request,
        "partners/console/import_job.html",
        {"job": job, "errors": _job_errors(job), "partner": job.partner},
    )


@login_required
@require_GET
def import_job_progress(request, public_id):
    """The htmx fragment polled every second while the job runs."""
    job = _job_for(request, public_id)
    return render(request, "partners/console/_import_progress.html", {"job": job, "errors": _job_errors(job)})


urlpatterns = [
    path("console/", console, name="console"),
    path("console/certifications/import/", import_certifications, name="console-import"),
    path("console/imports/<uuid:public_id>/", import_job, name="console-import-job"),
    path("console/imports/<uuid:public_id>/progress/", import_job_progress, name="console-import-progress"),
]
