"""The partner's deal registrations in the console: ``/partners/console/deals/…``.

Everything is looked up within the active organisation's partner (``get_partner_for_request_or_404``):
another partner's registration is 404. A held registration shows only that an existing
registration covers the customer, never whose.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.exports import export_response
from cosell import selectors
from cosell.forms import ExtensionForm, ImportForm, InviteForm, LostForm, RegistrationForm
from cosell.models import CoSellInvite, DealRegistration, RegistrationImport, Status
from cosell.services import imports as import_service
from cosell.services import invites as invite_service
from cosell.services import overlap as overlap_service
from cosell.services import registrations as svc
from partners.selectors.access import get_partner_for_request_or_404

app_name = "cosell"


def _registration(request, public_id) -> DealRegistration:
    partner = get_partner_for_request_or_404(request)
    return get_object_or_404(
        DealRegistration.objects.select_related("partner", "customer_region", "customer_industry"),
        public_id=public_id,
        partner=partner,
    )


def _with_overlap(partner, invites, *, other) -> list:
    """Invitations with ``overlap``: the number of customers both partners registered."""
    out = list(invites)
    for item in out:
        item.overlap = selectors.account_overlap(partner=partner, other=other(item))
    return out


@login_required
@require_GET
def pipeline(request):
    partner = get_partner_for_request_or_404(request)
    status, sort = request.GET.get("status", ""), request.GET.get("sort", "new")
    page = Paginator(selectors.pipeline(partner=partner, status=status, sort=sort), 25).get_page(
        request.GET.get("p")
    )
    return render(
        request,
        "cosell/pipeline.html",
        {
            "partner": partner,
            "page_obj": page,
            "status": status,
            "sort": sort,
            "totals": selectors.pipeline_totals(partner=partner),
            "statuses": Status.choices,
            "import_form": ImportForm(),
            "invites": _with_overlap(
                partner,
                CoSellInvite.objects.filter(partner=partner)
                .select_related("registration__partner__organisation")
                .order_by("status", "-created_at")[:50],
                other=lambda i: i.registration.partner,
            ),
        },
    )


def _save_form(request, form, *, registration=None):
    """Run the service for a valid form; service refusals become form errors. Returns the saved
    registration or None."""
    if not form.is_valid():
        return None
    data = form.enabled_data()
    try:
        if registration is None:
            partner = get_partner_for_request_or_404(request)
            return svc.create_registration(partner=partner, user=request.user, data=data)
        return svc.update_registration(registration=registration, user=request.user, data=data)
    except ValidationError as exc:
        form.add_error(None, exc)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    partner = get_partner_for_request_or_404(request)
    form = RegistrationForm(request.POST or None, instance=DealRegistration(partner=partner))
    if request.method == "POST" and (saved := _save_form(request, form)):
        if "submit" in request.POST:
            return _submit(request, saved)
        messages.success(request, _("Draft saved."))
        return redirect("cosell:detail", public_id=saved.public_id)
    return render(
        request, "cosell/form.html", {"form": form, "partner": partner}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, public_id):
    registration = _registration(request, public_id)
    if registration.status not in svc.EDITABLE:
        messages.error(request, svc.NOT_ALLOWED % {"status": registration.get_status_display()})
        return redirect("cosell:detail", public_id=public_id)
    form = RegistrationForm(request.POST or None, instance=registration)
    if request.method == "POST" and (saved := _save_form(request, form, registration=registration)):
        messages.success(request, _("Changes saved."))
        return redirect("cosell:detail", public_id=saved.public_id)
    context = {"form": form, "partner": registration.partner, "registration": registration}
    return render(request, "cosell/form.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def detail(request, public_id):
    registration = _registration(request, public_id)
    return render(
        request,
        "cosell/detail.html",
        {
            "registration": registration,
            "partner": registration.partner,
            "listings": registration.listings.all(),
            "history": registration.transitions.all(),
            "editable": registration.status in svc.EDITABLE,
            "held_message": svc.HELD_MESSAGE if registration.conflict_hold else "",
            "lost_form": LostForm(),
            "extension_form": ExtensionForm(),
            "invite_form": InviteForm(),
            "attributions": registration.attributions.select_related("invoice"),
            "sent_invites": _with_overlap(
                registration.partner,
                registration.invites.select_related("partner__organisation"),
                other=lambda i: i.partner,
            ),
        },
    )


def _submit(request, registration):
    try:
        registration = svc.submit(registration=registration, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if registration.status == Status.APPROVED:
            messages.success(request, _("Registration approved. The customer is protected for you."))
        elif registration.conflict_hold:
            messages.warning(request, svc.HELD_MESSAGE)
        else:
            messages.info(request, _("Submitted for review."))
    return redirect("cosell:detail", public_id=registration.public_id)


@login_required
@require_POST
def submit(request, public_id):
    return _submit(request, _registration(request, public_id))


@login_required
@require_POST
def close(request, public_id, outcome):
    registration = _registration(request, public_id)
    if outcome not in ("won", "lost"):
        raise Http404
    try:
        if outcome == "won":
            svc.close_won(registration=registration, user=request.user)
            messages.success(request, _("Marked as won."))
        else:
            form = LostForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose why the deal was lost."))
                return redirect("cosell:detail", public_id=public_id)
            svc.close_lost(registration=registration, user=request.user, **form.cleaned_data)
            messages.success(request, _("Marked as lost."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cosell:detail", public_id=public_id)


@login_required
@require_POST
def extension(request, public_id):
    registration = _registration(request, public_id)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need more time."))
        return redirect("cosell:detail", public_id=public_id)
    try:
        svc.request_extension(
            registration=registration, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Extension requested."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cosell:detail", public_id=public_id)


@login_required
@require_POST
def import_csv(request):
    """Check the file at once (encoding, columns, row count); the rows are imported by a task and
    the job page shows its progress."""
    partner = get_partner_for_request_or_404(request)
    form = ImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_service.start_import(
                partner=partner, user=request.user, filename=upload.name, content=upload.read()
            )
        except import_service.ImportRefused as refused:
            errors = refused.errors
        else:
            return redirect("cosell:import-job", public_id=job.public_id)
    context = {"partner": partner, "form": form, "errors": errors, "columns": import_service.COLUMNS}
    return render(request, "cosell/import.html", context, status=400)


def _import_job(request, public_id) -> RegistrationImport:
    partner = get_partner_for_request_or_404(request)
    job = get_object_or_404(RegistrationImport.objects.defer("content"), public_id=public_id, partner=partner)
    return import_service.live(job)


@login_required
@require_GET
def import_job(request, public_id):
    job = _import_job(request, public_id)
    return render(request, "cosell/import_job.html", {"job": job, "partner": job.partner})


@login_required
@require_GET
def import_progress(request, public_id):
    """The htmx fragment polled every second while the import runs."""
    return render(request, "cosell/_import_progress.html", {"job": _import_job(request, public_id)})


@login_required
@require_GET
def import_help(request):
    partner = get_partner_for_request_or_404(request)
    context = {"partner": partner, "form": ImportForm(), "errors": [], "columns": import_service.COLUMNS}
    return render(request, "cosell/import.html", context)


@login_required
@require_GET
def export(request):
    partner = get_partner_for_request_or_404(request)
    qs = (
        selectors.pipeline(partner=partner, status=request.GET.get("status", ""))
        .prefetch_related("listings")
        .select_related("customer_industry")
    )
    return export_response(
        import_service.EXPORT_HEADER, import_service.export_rows(qs), filename="deal-registrations"
    )


@login_required
@require_POST
def invite(request, public_id):
    registration = _registration(request, public_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invite_service.invite(
                registration=registration,
                partner_slug=form.cleaned_data["partner"],
                user=request.user,
                message=form.cleaned_data["message"],
            )
            messages.success(request, _("Invitation sent."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the partner's directory address."))
    return redirect("cosell:detail", public_id=public_id)


@login_required
@require_POST
def answer_invite(request, public_id):
    partner = get_partner_for_request_or_404(request)
    received = get_object_or_404(CoSellInvite, public_id=public_id, partner=partner)
    try:
        invite_service.answer(invite=received, accept=request.POST.get("accept") == "1")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("cosell:pipeline")


@login_required
@require_GET
def shared(request, public_id):
    """A deal another partner brought this partner onto (accepted invitation only), read-only."""
    partner = get_partner_for_request_or_404(request)
    accepted = get_object_or_404(
        CoSellInvite.objects.select_related("registration__partner__organisation"),
        registration__public_id=public_id,
        partner=partner,
        status=CoSellInvite.Status.ACCEPTED,
    )
    registration = accepted.registration
    return render(
        request,
        "cosell/shared.html",
        {"registration": registration, "partner": partner, "listings": registration.listings.all()},
    )


def _co_seller(request, slug):
    """(this partner, the other partner) when they co-sell; 404 for any other organisation."""
    from partners.models import Partner

    partner = get_partner_for_request_or_404(request)
    other = Partner.objects.filter(organisation__slug=slug).select_related("organisation").first()
    if other is None or not overlap_service.co_selling(partner=partner, other=other):
        raise Http404
    return partner, other


@login_required
@require_GET
def overlaps(request):
    """Account overlap with each partner this one co-sells with: counts, and who agreed."""
    partner = get_partner_for_request_or_404(request)
    rows = [
        (other, overlap_service.overlap(partner=partner, other=other))
        for other in overlap_service.co_sellers(partner=partner)[:100]
    ]
    return render(request, "cosell/overlaps.html", {"partner": partner, "rows": rows})


@login_required
@require_GET
def overlap(request, slug):
    partner, other = _co_seller(request, slug)
    context = {
        "partner": partner,
        "other": other,
        "overlap": overlap_service.overlap(partner=partner, other=other),
    }
    return render(request, "cosell/overlap.html", context)


@login_required
@require_POST
def overlap_consent(request, slug):
    partner, other = _co_seller(request, slug)
    if request.POST.get("agree") == "1":
        try:
            overlap_service.agree(partner=partner, other=other, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("You agreed to share names. They are shown once the other partner agrees too.")
            )
    else:
        overlap_service.revoke(partner=partner, other=other, user=request.user)
        messages.success(request, _("You no longer share names: both sides see counts only."))
    return redirect("cosell:overlap", slug=slug)


urlpatterns = [
    path("", pipeline, name="pipeline"),
    path("new/", register, name="register"),
    path("import/", import_help, name="import"),
    path("import/upload/", import_csv, name="import-upload"),
    path("import/<uuid:public_id>/", import_job, name="import-job"),
    path("import/<uuid:public_id>/progress/", import_progress, name="import-progress"),
    path("export.csv", export, name="export"),
    path("<uuid:public_id>/", detail, name="detail"),
    path("<uuid:public_id>/edit/", edit, name="edit"),
    path("<uuid:public_id>/submit/", submit, name="submit"),
    path("<uuid:public_id>/close/<str:outcome>/", close, name="close"),
    path("<uuid:public_id>/extension/", extension, name="extension"),
    path("<uuid:public_id>/invite/", invite, name="invite"),
    path("invites/<uuid:public_id>/answer/", answer_invite, name="answer-invite"),
    path("shared/<uuid:public_id>/", shared, name="shared"),
    path("overlap/", overlaps, name="overlaps"),
    path("overlap/<slug:slug>/", overlap, name="overlap"),
    path("overlap/<slug:slug>/consent/", overlap_consent, name="overlap-consent"),
]
