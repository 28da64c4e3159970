"""Customer side of the requirements hall: post, follow, compare proposals and award.

Only members of the active customer organisation see its requirements (others: 404)."""

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation
from core.exceptions import ApplicationError
from demand import selectors
from demand.forms import AttachmentForm, AwardForm, RequirementForm
from demand.models import Proposal, RequirementMode, RequirementState
from demand.services import attachments as attachment_services
from demand.services import proposals as proposal_services
from demand.services import requirements as requirement_services


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _customer_org(request) -> Organisation:
    organisation = request.organisation
    if not organisation or organisation.kind != Organisation.Kind.CUSTOMER:  # a lazy None is falsy
        raise Http404
    return organisation


@login_required
def my_requirements(request):
    organisation = _customer_org(request)
    return render(
        request,
        "demand/customer/requirements.html",
        {"requirements": selectors.requirements_of(organisation=organisation), "organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_requirement(request):
    organisation = _customer_org(request)
    initial = {"claim_limit": 5, "mode": RequirementMode.ROUTED}
    directed = request.GET.get("partner")  # "Send a requirement" from a partner: directed to it
    if directed:
        from demand.forms import choosable_partners

        partner = choosable_partners().filter(organisation__slug=directed).first()
        if partner is not None:
            initial.update(mode=RequirementMode.DIRECTED, directed_partner=partner.pk)
    form = RequirementForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        certifications = data.pop("required_certifications")
        try:
            requirement = requirement_services.create_requirement(
                organisation=organisation,
                user=request.user,
                certifications=certifications,
                attachments=data.pop("attachments"),
                invited=list(data.pop("invited_partners") or []),
                submit="submit" in request.POST,
                **data,
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your requirement was saved."))
            return redirect("demand:requirement", public_id=requirement.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "demand/customer/requirement_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def requirement_detail(request, public_id):
    organisation = _customer_org(request)
    requirement = selectors.get_requirement_for_customer(organisation=organisation, public_id=public_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                requirement_services.submit(requirement=requirement, user=request.user)
                messages.success(request, _("Sent for review. We will open it to partners once approved."))
            elif action == "attach":
                attachment_services.attach(
                    requirement=requirement, user=request.user, files=request.FILES.getlist("attachments")
                )
                messages.success(request, _("The files were attached."))
            elif action == "remove_attachment":
                attachment = requirement.attachments.filter(
                    public_id=_uuid_or_none(request.POST.get("attachment"))
                ).first()
                if attachment is None:
                    raise Http404
                attachment_services.remove(attachment=attachment)
                messages.success(request, _("The file was removed."))
            elif action == "cancel":
                requirement_services.cancel(
                    requirement=requirement, by=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("The requirement was cancelled."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("demand:requirement", public_id=requirement.public_id)
    from demand.models import ProposalState
    from demand.services.delivery import remaining_on

    awards = list(
        requirement.proposals.filter(state=ProposalState.ACCEPTED)
        .select_related("partner__organisation")
        .order_by("created_at", "pk")
    )
    for award in awards:  # a split award: each partner's milestones on their own
        award.milestone_rows = list(award.milestones.prefetch_related("payment_requests", "acceptances"))
        for milestone in award.milestone_rows:
            milestone.remaining = remaining_on(milestone)
    context = {
        "requirement": requirement,
        "awards": awards,
        "can_decide": requirement.state in (RequirementState.IN_DELIVERY, RequirementState.ACCEPTANCE),
        "transitions": requirement.transitions.select_related("by"),
        "attachments": list(requirement.attachments.all()),
        "can_attach": requirement.state in attachment_services.EDITABLE,
        "attachment_form": AttachmentForm(),
        "notified": requirement.invitations.count(),
        "proposal_count": requirement.proposals.count(),
    }
    return render(request, "demand/customer/requirement.html", context)


def _weights(request) -> dict[str, Decimal]:
    out = {}
    for key in ("price", "timeline", "certified"):
        try:
            out[key] = max(Decimal(request.GET.get(f"w_{key}", "1")), Decimal(0))
        except ArithmeticError:
            out[key] = Decimal(1)
    return out


def _scored(proposals, weights):
    """Each proposal scored 0–100 on price (lower is better), timeline (shorter) and certified
    people (more), weighted by the customer's weights."""
    if not proposals:
        return []
    low_price = min(p.total for p in proposals)
    short = min(p.timeline_days for p in proposals)
    most = max(p.certified_people for p in proposals) or 1
    total_weight = sum(weights.values()) or Decimal(1)
    for p in proposals:
        parts = {
            "price": Decimal(low_price) / p.total if p.total else Decimal(1),
            "timeline": Decimal(short) / p.timeline_days,
            "certified": Decimal(p.certified_people) / most,
        }
        p.weighted_score = round(sum(parts[k] * weights[k] for k in parts) * 100 / total_weight)
    return proposals


def _compare_context(request, public_id) -> dict:
    organisation = _customer_org(request)
    requirement = selectors.get_requirement_for_customer(organisation=organisation, public_id=public_id)
    weights = _weights(request)
    proposals = _scored(list(selectors.proposals_for_compare(requirement=requirement)), weights)
    return {
        "organisation": organisation,
        "requirement": requirement,
        "proposals": proposals,
        "weights": weights,
    }


@login_required
def compare_pdf(request, public_id):
    """The compare matrix with the customer's weights as a PDF (WeasyPrint, CJK font embedded),
    in the page's language or ``?lang=zh-hans|en``."""
    from django.conf import settings
    from django.http import HttpResponse

    from themes.pdf import render_pdf

    context = _compare_context(request, public_id)
    languages = {code for code, _name in settings.LANGUAGES}
    language = request.GET.get("lang") if request.GET.get("lang") in languages else request.LANGUAGE_CODE
    context["generated_at"] = timezone.now()
    pdf = render_pdf("demand/pdf/compare.html", context, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="compare-{context["requirement"].public_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def compare(request, public_id):
    data = _compare_context(request, public_id)
    requirement, proposals, weights = data["requirement"], data["proposals"], data["weights"]
    context = {
        "requirement": requirement,
        "proposals": proposals,
        "weights": weights,
        "can_award": requirement.state in (RequirementState.OPEN, RequirementState.SHORTLISTING),
        "award_form": AwardForm(),
        "max_split": proposal_services.MAX_SPLIT,
    }
    return render(request, "demand/customer/compare.html", context)


@login_required
@require_POST
def award(request, public_id):
    organisation = _customer_org(request)
    proposal = selectors.get_proposal_for_customer(organisation=organisation, public_id=public_id)
    form = AwardForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        proposal_services.award(proposal=proposal, by=request.user, decline_reason=reason)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("You awarded the requirement to %(partner)s.") % {"partner": proposal.partner}
        )
    return redirect("demand:requirement", public_id=proposal.requirement.public_id)


@login_required
@require_POST
def award_split(request, public_id):
    """Award the requirement to the ticked proposals (one to three partners)."""
    organisation = _customer_org(request)
    requirement = selectors.get_requirement_for_customer(organisation=organisation, public_id=public_id)
    wanted = request.POST.getlist("proposal")[: proposal_services.MAX_SPLIT + 1]
    proposals = []
    for value in wanted:
        try:
            proposals.append(
                requirement.proposals.select_related("partner__organisation").get(public_id=value)
            )
        except (Proposal.DoesNotExist, ValidationError) as exc:
            raise Http404 from exc
    form = AwardForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        awarded = proposal_services.award_split(proposals=proposals, by=request.user, decline_reason=reason)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("demand:compare", public_id=requirement.public_id)
    names = ", ".join(str(p.partner.organisation) for p in awarded)
    messages.success(request, _("You awarded the requirement to %(partner)s.") % {"partner": names})
    return redirect("demand:requirement", public_id=requirement.public_id)


def attachment_response(attachment):
    """The file as a download (never shown inline), not cached by shared caches."""
    from django.http import FileResponse

    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attachment(request, public_id, attachment_id):
    organisation = _customer_org(request)
    requirement = selectors.get_requirement_for_customer(organisation=organisation, public_id=public_id)
    found = requirement.attachments.filter(public_id=attachment_id).first()
    if found is None:
        raise Http404
    return attachment_response(found)
