"""Partner side of the requirements hall: only requirements the partner may see (others 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from demand import selectors
from demand.forms import ProposalForm
from demand.models import PartnerIntake, Proposal, ProposalState, RequirementAttachment
from demand.services import proposals as proposal_services
from demand.services import requirements as requirement_services
from demand.services import routing
from demand.services.requirements import VISIBLE_TO_PARTNERS
from partners.selectors.access import get_partner_for_request_or_404


@login_required
def hall(request):
    partner = get_partner_for_request_or_404(request)
    requirements = list(selectors.hall_for_partner(partner=partner)[:200])
    intake = PartnerIntake.objects.filter(partner=partner, paused_until__gt=timezone.now()).first()
    context = {
        "partner": partner,
        "requirements": requirements,
        "paused_until": intake.paused_until if intake else None,
    }
    return render(request, "demand/console/hall.html", context)


@login_required
@require_POST
def pause_intake(request):
    """Owners and admins pause new invitations for up to 30 days (0 resumes)."""
    partner = get_partner_for_request_or_404(request)
    if not request.membership.can_manage:
        raise PermissionDenied
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = -1
    try:
        routing.pause_intake(partner=partner, days=days)
        messages.success(request, _("Your intake setting was saved."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("demand:hall")


def _initial(proposal):
    if proposal is None:
        return {}
    lines = "\n".join(f"{m.title} | {m.amount} | {m.acceptance_criteria}" for m in proposal.milestones.all())
    initial = {
        "pricing_model": proposal.pricing_model,
        "total": proposal.total,
        "max_cost": proposal.max_cost,
        "timeline_days": proposal.timeline_days,
        "summary": proposal.summary,
        "assumptions": proposal.assumptions,
        "milestones": lines,
    }
    initial.update({f"answer_{i}": a for i, a in enumerate(proposal.answers)})
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def hall_detail(request, public_id):
    partner = get_partner_for_request_or_404(request)
    requirement, invitation = selectors.get_requirement_for_partner(partner=partner, public_id=public_id)
    proposal = (
        Proposal.objects.filter(requirement=requirement, partner=partner)
        .prefetch_related("milestones")
        .first()
    )
    questions = requirement.screening_questions or []
    form = ProposalForm(request.POST or None, questions=questions, initial=_initial(proposal))
    status = 200
    if request.method == "POST" and invitation is not None:
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "pricing_model": data["pricing_model"],
                "total": data["total"],
                "max_cost": data["max_cost"],
                "timeline_days": data["timeline_days"],
                "summary": data["summary"],
                "assumptions": data["assumptions"],
                "answers": form.answers(),
                "milestones": data["milestones"],
            }
            try:
                if proposal is None:
                    proposal_services.submit_proposal(
                        requirement=requirement, partner=partner, user=request.user, **fields
                    )
                    messages.success(request, _("Your proposal was sent."))
                else:
                    proposal_services.revise_proposal(proposal=proposal, user=request.user, **fields)
                    messages.success(request, _("Your proposal was revised."))
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                return redirect("demand:hall-detail", public_id=requirement.public_id)
        else:
            status = 400
    context = {
        "partner": partner,
        "requirement": requirement,
        "invitation": invitation,
        "reasons": selectors.reason_labels(invitation.reasons if invitation else []),
        "proposal": proposal,
        "form": form,
        "attachments": list(requirement.attachments.all()) if invitation else [],
    }
    return render(request, "demand/console/hall_detail.html", context, status=status)


@login_required
def attachment(request, public_id, attachment_id):
    """A requirement's file for a partner invited to it (routed, directed, invited or claimed) or
    awarded it; any other partner gets 404, as for the requirement itself."""
    from demand.views.requirements import attachment_response

    partner = get_partner_for_request_or_404(request)
    found = (
        RequirementAttachment.objects.filter(requirement__public_id=public_id, public_id=attachment_id)
        .filter(
            Q(requirement__invitations__partner=partner, requirement__state__in=VISIBLE_TO_PARTNERS)
            | Q(requirement__proposals__partner=partner, requirement__proposals__state=ProposalState.ACCEPTED)
        )
        .distinct()
        .first()
    )
    if found is None:
        raise Http404
    return attachment_response(found)


@login_required
@require_POST
def claim(request, public_id):
    partner = get_partner_for_request_or_404(request)
    requirement, invitation = selectors.get_requirement_for_partner(partner=partner, public_id=public_id)
    if invitation is None:
        try:
            requirement_services.claim(requirement=requirement, partner=partner)
            messages.success(request, _("You claimed a place: you may now propose."))
        except ApplicationError as error:
            messages.error(request, error.message)
    return redirect("demand:hall-detail", public_id=requirement.public_id)
