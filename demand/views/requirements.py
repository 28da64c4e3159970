"""Customer side of the requirements hall: post, follow, compare proposals and award.

Only members of the active customer organisation see its requirements (others: 404)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Organisation
from core.exceptions import ApplicationError
from demand import selectors
from demand.forms import AwardForm, RequirementForm
from demand.models import RequirementMode, RequirementState
from demand.services import proposals as proposal_services
from demand.services import requirements as requirement_services


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
    form = RequirementForm(request.POST or None, initial={"claim_limit": 5, "mode": RequirementMode.ROUTED})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        certifications = data.pop("required_certifications")
        if data["mode"] in (RequirementMode.DIRECTED, RequirementMode.PRIVATE_INVITE):
            form.add_error(
                "mode", _("Direct a requirement from a partner's profile; use routed or open claim here.")
            )
        else:
            try:
                requirement = requirement_services.create_requirement(
                    organisation=organisation,
                    user=request.user,
                    certifications=certifications,
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

    awarded = (
        requirement.proposals.filter(state=ProposalState.ACCEPTED)
        .select_related("partner__organisation")
        .first()
    )
    milestones = []
    if awarded is not None:
        milestones = list(awarded.milestones.prefetch_related("payment_requests", "acceptances"))
        for milestone in milestones:
            milestone.remaining = remaining_on(milestone)
    context = {
        "requirement": requirement,
        "awarded": awarded,
        "can_decide": requirement.state in (RequirementState.IN_DELIVERY, RequirementState.ACCEPTANCE),
        "milestones": milestones,
        "transitions": requirement.transitions.select_related("by"),
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


@login_required
def compare(request, public_id):
    organisation = _customer_org(request)
    requirement = selectors.get_requirement_for_customer(organisation=organisation, public_id=public_id)
    weights = _weights(request)
    proposals = _scored(list(selectors.proposals_for_compare(requirement=requirement)), weights)
    context = {
        "requirement": requirement,
        "proposals": proposals,
        "weights": weights,
        "can_award": requirement.state in (RequirementState.OPEN, RequirementState.SHORTLISTING),
        "award_form": AwardForm(),
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
