"""Delivery screens: the partner's awarded work (start, request milestone payments) and the
customer's verdicts (accept or send back a milestone; approve or reject a payment request).
Another organisation's proposal, milestone or request is 404."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import active_membership
from core.exceptions import ApplicationError
from demand.models import Milestone, PaymentRequest, PaymentRequestState, Proposal, ProposalState
from demand.services import delivery as services
from demand.views.requirements import _customer_org
from partners.selectors.access import get_partner_for_request_or_404


def _awarded(partner):
    return Proposal.objects.filter(partner=partner, state=ProposalState.ACCEPTED).select_related(
        "requirement"
    )


@login_required
def deliveries(request):
    partner = get_partner_for_request_or_404(request)
    proposals = list(_awarded(partner).order_by("-updated_at")[:200])
    return render(request, "demand/console/deliveries.html", {"partner": partner, "proposals": proposals})


def _milestones(proposal):
    rows = []
    for milestone in proposal.milestones.prefetch_related("payment_requests", "acceptances"):
        milestone.remaining = services.remaining_on(milestone)
        rows.append(milestone)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def delivery(request, public_id):
    partner = get_partner_for_request_or_404(request)
    proposal = get_object_or_404(_awarded(partner), public_id=public_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start":
                services.start_delivery(requirement=proposal.requirement, by=request.user)
                messages.success(request, _("Delivery started."))
            elif request.POST.get("action") == "request":
                milestone = get_object_or_404(
                    Milestone, proposal=proposal, pk=request.POST.get("milestone") or 0
                )
                services.request_payment(
                    milestone=milestone,
                    partner=partner,
                    user=request.user,
                    amount=request.POST.get("amount", ""),
                    idempotency_key=request.POST.get("idempotency_key", ""),
                )
                messages.success(request, _("Payment requested: the customer will approve it."))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("demand:delivery", public_id=proposal.public_id)
    context = {
        "partner": partner,
        "proposal": proposal,
        "milestones": _milestones(proposal),
        "attachments": list(proposal.requirement.attachments.all()),
        "idempotency_key": uuid.uuid4().hex,
    }
    return render(request, "demand/console/delivery.html", context)


@login_required
@require_POST
def customer_delivery(request, public_id):
    """Customer verdicts on the awarded proposal ``public_id``."""
    organisation = _customer_org(request)
    proposal = get_object_or_404(
        Proposal.objects.select_related("requirement"),
        public_id=public_id,
        requirement__customer_organisation=organisation,
        state=ProposalState.ACCEPTED,
    )
    action = request.POST.get("action")
    try:
        if action in ("accept", "send_back"):
            milestone = get_object_or_404(Milestone, proposal=proposal, pk=request.POST.get("milestone") or 0)
            services.decide_milestone(
                milestone=milestone,
                by=request.user,
                accept=action == "accept",
                note=request.POST.get("note", ""),
                evidence=request.FILES.getlist("evidence"),
            )
            messages.success(request, _("Your verdict was recorded."))
        elif action in ("approve", "reject"):
            payment = PaymentRequest.objects.filter(
                milestone__proposal=proposal, public_id=request.POST.get("payment") or None
            ).first()
            if payment is None:
                raise Http404
            decided = services.decide_payment(
                payment_request=payment, by=request.user, approve=action == "approve"
            )
            if decided.paid_at:
                messages.success(request, _("The payment was approved and charged to your card."))
            else:
                messages.success(request, _("The payment request was decided."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("demand:requirement", public_id=proposal.requirement.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, public_id):
    """The customer pays a pending or approved-unpaid payment request with a card entered here
    (Stripe.js confirms a SetupIntent; localstripe's stand-in locally). Owners and admins only,
    as for every card of the organisation; another organisation's request is 404."""
    from billing import gateway
    from billing.services import customers

    organisation = _customer_org(request)
    payment = get_object_or_404(
        PaymentRequest.objects.select_related("milestone__proposal__requirement", "partner__organisation"),
        public_id=public_id,
        milestone__proposal__requirement__customer_organisation=organisation,
        milestone__proposal__state=ProposalState.ACCEPTED,
    )
    requirement = payment.milestone.proposal.requirement
    back = reverse("demand:requirement", kwargs={"public_id": requirement.public_id})
    membership = active_membership(request)
    if membership is None or not membership.can_manage:
        messages.error(request, _("Only owners and admins of your organisation can pay with a card."))
        return HttpResponseRedirect(back)
    if payment.paid_at is not None or payment.state == PaymentRequestState.REJECTED:
        return HttpResponseRedirect(back)
    error = ""
    if request.method == "POST":
        try:
            paid = services.pay_with_card(
                payment_request=payment,
                by=request.user,
                payment_method_id=request.POST.get("payment_method", ""),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            if paid.paid_at:
                messages.success(request, _("The payment was approved and charged to your card."))
            return HttpResponseRedirect(back)
    setup_secret, unavailable = "", ""
    try:
        customer = customers.ensure_customer(organisation, email=request.user.email)
        setup_secret = gateway.create_setup_intent(
            customer.stripe_customer_id, idempotency_key=f"symbio-demand-seti-{uuid.uuid4().hex}"
        ).get("client_secret", "")
    except gateway.BillingGatewayError as exc:
        unavailable = exc.message
    context = {
        "payment": payment,
        "requirement": requirement,
        "error": error,
        "unavailable": unavailable,
        "setup_secret": setup_secret,
        "stripe_js_url": gateway.js_url(),
        "stripe_publishable_key": gateway.publishable_key(),
    }
    return render(request, "demand/customer/pay.html", context, status=400 if error else 200)
