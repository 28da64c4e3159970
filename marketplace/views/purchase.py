"""Customer trial and purchase screens: start a trial, checkout (Stripe Elements), My subscriptions
(status, renewal, seats, invoices, cancel/resume, change plan), invoice PDFs, billing contacts,
private offers; and the partner's usage report for usage-based subscriptions.

Thin: rules live in ``billing.services``; objects come from ``billing.selectors`` (404 for another
organisation's). Everyone in the organisation may look; owners and admins act.

One module because every screen shares the organisation guard (``with_organisation``), the manager
check and the checkout page builder.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import members_of
from billing import gateway, selectors
from billing.models import Interval, Subscription
from billing.services import customers, entitlements, offers, previews, subscriptions, trials
from billing.services import plans as plan_service
from billing.services.plans import INTERVALS
from catalog.models import ListingPage, ListingPlan, PricingModel
from core.money import Currency, Money
from marketplace.forms.purchase import (
    ChangePlanForm,
    CheckoutForm,
    ContactForm,
    PartnerOfferForm,
    SeatForm,
    UsageForm,
)

RECURRING_MODELS = [m for m, interval in INTERVALS.items() if interval != Interval.ONCE]


def _active(request):
    membership = getattr(request, "membership", None)
    membership = getattr(membership, "_wrapped", membership) if membership else None
    return membership or None


def with_organisation(view):
    """Log-in required and an active organisation; sets ``request.billing_membership``."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = _active(request)
        if membership is None:
            messages.info(request, _("Create or join an organisation first."))
            return HttpResponseRedirect(reverse("accounts:dashboard"))
        request.billing_membership = membership
        return view(request, *args, **kwargs)

    return wrapper


def _can_manage(request) -> bool:
    return request.billing_membership.can_manage


def _refuse_non_manager(request, url: str):
    messages.error(request, _("Only owners and admins of your organisation can change billing."))
    return HttpResponseRedirect(url)


def _new_token() -> str:
    return uuid.uuid4().hex


def _listing_url(request, listing) -> str:
    return listing.get_url(request) or "/"


# --- trials -----------------------------------------------------------------------------------


@require_POST
@with_organisation
def start_trial(request, listing_id):
    listing = get_object_or_404(ListingPage.objects.live(), pk=listing_id)
    if not _can_manage(request):
        return _refuse_non_manager(request, _listing_url(request, listing))
    try:
        trial = trials.start_trial(
            organisation=request.billing_membership.organisation, listing=listing, user=request.user
        )
    except trials.TrialRefused as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_listing_url(request, listing))
    messages.success(
        request,
        _("Your free trial of %(listing)s has started. It ends in %(days)s days.")
        % {"listing": listing.t_title, "days": trial.listing_plan.trial_days if trial.listing_plan else ""},
    )
    return HttpResponseRedirect(reverse("purchase:trial", kwargs={"public_id": trial.public_id}))


@with_organisation
def trial_detail(request, public_id):
    from billing.models import BillingCustomer

    organisation = request.billing_membership.organisation
    trial = selectors.get_trial_for(organisation, public_id)
    plans = _buyable_plans(trial.listing)
    saved = (
        BillingCustomer.objects.filter(organisation=organisation)
        .exclude(default_payment_method_id="")
        .first()
    )
    return render(
        request,
        "marketplace/purchase/trial.html",
        {
            "trial": trial,
            "listing": trial.listing,
            "plans": [
                (plan, _default_currency(request, [m.currency for m in plan.prices])) for plan in plans
            ],
            "saved_card": saved,
            "token": _new_token(),
            "can_manage": _can_manage(request),
        },
    )


def _buyable_plans(listing):
    return [
        plan
        for plan in ListingPlan.objects.filter(listing=listing, pricing_model__in=list(INTERVALS)).order_by(
            "sort_order", "pk"
        )
        if plan.prices
    ]


# --- checkout ---------------------------------------------------------------------------------


def _checkout_page(request, *, listing, plan=None, offer=None, form, error="", status=200):
    organisation = request.billing_membership.organisation
    setup_secret, unavailable = "", ""
    if _can_manage(request):
        try:
            customer = customers.ensure_customer(organisation, email=request.user.email)
            intent = gateway.create_setup_intent(
                customer.stripe_customer_id, idempotency_key=f"symbio-seti-{uuid.uuid4().hex}"
            )
            setup_secret = intent.get("client_secret", "")
        except gateway.BillingGatewayError as exc:
            unavailable = exc.message
    trial = selectors.active_trial(organisation, listing)
    per_seat = bool(plan and plan.pricing_model == PricingModel.PER_SEAT)
    context = {
        "listing": listing,
        "plan": plan,
        "offer": offer,
        "form": form,
        "error": error,
        "unavailable": unavailable,
        "setup_secret": setup_secret,
        "stripe_js_url": gateway.js_url(),
        "stripe_publishable_key": gateway.publishable_key(),
        "trial": trial,
        "can_manage": _can_manage(request),
        "prices": {m.currency: m for m in (plan.prices if plan else [])},
        "per_seat": per_seat,
        "seat_totals": _seat_totals(plan, form) if per_seat else [],
        "recurring": (offer.interval != Interval.ONCE)
        if offer
        else bool(plan and INTERVALS[plan.pricing_model] != Interval.ONCE),
    }
    return render(request, "marketplace/purchase/checkout.html", context, status=status)


def _seat_totals(plan, form) -> list[dict]:
    """Seats × unit price for each of the plan's currencies, for the quantity in the form
    (checkout.js recomputes it as the customer changes the number of seats)."""
    try:
        seats = max(int(form["quantity"].value() or 1), 1)
    except (TypeError, ValueError):
        seats = 1
    return [
        {"unit": price, "seats": seats, "total": Money(price.amount * seats, price.currency)}
        for price in plan.prices
    ]


def _default_currency(request, currencies: list[str]) -> str:
    preferred = Currency.USD if (request.LANGUAGE_CODE or "").startswith("en") else Currency.CNY
    return preferred if preferred in currencies else currencies[0]


def _purchase_or_page(request, *, listing, form, plan=None, offer=None, **purchase):
    """Buy with the card in ``form`` (``purchase``: the plan's or the offer's terms): returns
    ``(subscription, None)``, or ``(None, the checkout page with the refusal)`` — 400 for a
    refused purchase, 402 for a declined card, 503 when payments are unavailable."""
    organisation = request.billing_membership.organisation
    try:
        sub = subscriptions.purchase(
            organisation=organisation,
            user=request.user,
            offer=offer,
            payment_method_id=form.cleaned_data["payment_method"],
            token=form.cleaned_data["token"],
            trial=selectors.active_trial(organisation, listing),
            **purchase,
        )
    except subscriptions.PurchaseError as exc:
        error, status = exc.message, 400
    except gateway.BillingGatewayError as exc:
        error, status = exc.message, 503 if isinstance(exc, gateway.PaymentUnavailable) else 402
    else:
        return sub, None
    return None, _checkout_page(
        request, listing=listing, plan=plan, offer=offer, form=form, error=error, status=status
    )


@with_organisation
def checkout(request, plan_id):
    plan = get_object_or_404(
        ListingPlan.objects.select_related("listing"), pk=plan_id, pricing_model__in=list(INTERVALS)
    )
    listing = plan.listing
    if not listing.live or listing.delisted_at is not None:
        raise Http404
    currencies = [m.currency for m in plan.prices]
    if not currencies:
        raise Http404
    per_seat = plan.pricing_model == PricingModel.PER_SEAT
    if request.method == "POST":
        form = CheckoutForm(request.POST, currencies=currencies, per_seat=per_seat)
        if not _can_manage(request):
            return _refuse_non_manager(request, request.path)
        if form.is_valid():
            sub, refusal = _purchase_or_page(
                request,
                listing=listing,
                plan=plan,
                form=form,
                listing_plan=plan,
                currency=form.cleaned_data["currency"],
                quantity=form.cleaned_data["quantity"] if per_seat else 1,
            )
            if refusal is not None:
                return refusal
            messages.success(
                request, _("Thank you! Your purchase of %(plan)s is complete.") % {"plan": sub.t_plan_name}
            )
            return HttpResponseRedirect(reverse("purchase:subscription", kwargs={"public_id": sub.public_id}))
        return _checkout_page(request, listing=listing, plan=plan, form=form, status=400)
    form = CheckoutForm(
        initial={"currency": _default_currency(request, currencies), "quantity": 1, "token": _new_token()},
        currencies=currencies,
        per_seat=per_seat,
    )
    return _checkout_page(request, listing=listing, plan=plan, form=form)


# --- private offers ---------------------------------------------------------------------------


@with_organisation
def offer_detail(request, public_id):
    organisation = request.billing_membership.organisation
    offer = offers.get_offer_for(organisation, public_id)
    listing = offer.listing
    if request.method == "POST":
        form = CheckoutForm(request.POST, currencies=[offer.currency], per_seat=False)
        if not _can_manage(request):
            return _refuse_non_manager(request, request.path)
        if form.is_valid():
            sub, refusal = _purchase_or_page(request, listing=listing, offer=offer, form=form)
            if refusal is not None:
                return refusal
            messages.success(request, _("You accepted the offer. Your subscription is active."))
            return HttpResponseRedirect(reverse("purchase:subscription", kwargs={"public_id": sub.public_id}))
        return _checkout_page(request, listing=listing, offer=offer, form=form, status=400)
    form = CheckoutForm(
        initial={"currency": offer.currency, "quantity": offer.quantity, "token": _new_token()},
        currencies=[offer.currency],
        per_seat=False,
    )
    return _checkout_page(request, listing=listing, offer=offer, form=form)


# --- my subscriptions -------------------------------------------------------------------------


@with_organisation
def subscription_list(request):
    organisation = request.billing_membership.organisation
    context = {
        "organisation": organisation,
        "subscriptions": selectors.subscriptions_of(organisation),
        "trials": selectors.trials_of(organisation),
        "offers": offers.visible_offers(organisation),
        "invoices": selectors.invoices_of(organisation)[:20],
        "contacts": selectors.contacts_of(organisation),
        "can_manage": _can_manage(request),
    }
    return render(request, "marketplace/purchase/subscriptions.html", context)


def _detail_context(request, sub: Subscription, **extra) -> dict:
    organisation = request.billing_membership.organisation
    entitlement = getattr(sub, "entitlement", None)
    assigned = list(entitlement.seat_assignments.all()) if entitlement else []
    assigned_ids = {a.user_id for a in assigned}
    members = [m for m in members_of(organisation) if m.user_id not in assigned_ids]
    plans = [
        p
        for p in ListingPlan.objects.filter(listing_id=sub.listing_id, pricing_model__in=RECURRING_MODELS)
        if p.price(sub.currency) is not None
    ]
    context = {
        "sub": sub,
        "listing": sub.listing,
        "entitlement": entitlement,
        "assigned": assigned,
        "seat_form": SeatForm(members=members) if entitlement and entitlement.seats else None,
        "change_form": ChangePlanForm(
            plans=plans,
            initial={"plan": sub.listing_plan_id, "quantity": sub.quantity, "token": _new_token()},
        )
        if sub.is_recurring and not sub.private_offer_id and plans
        else None,
        "invoices": selectors.invoices_of(organisation).filter(subscription=sub),
        "usage_records": sub.usage_records.all()[:20] if sub.price.usage_type == "metered" else None,
        "can_manage": _can_manage(request),
    }
    context.update(extra)
    return context


@with_organisation
def subscription_detail(request, public_id):
    sub = selectors.get_subscription_for(request.billing_membership.organisation, public_id)
    return render(request, "marketplace/purchase/subscription.html", _detail_context(request, sub))


def _act(request, public_id, action):
    sub = selectors.get_subscription_for(request.billing_membership.organisation, public_id)
    url = reverse("purchase:subscription", kwargs={"public_id": sub.public_id})
    if not _can_manage(request):
        return _refuse_non_manager(request, url)
    try:
        message = action(sub)
    except _ChangeConfirmation as confirmation:
        try:
            return _change_confirmation_page(request, confirmation)
        except subscriptions.PurchaseError as exc:
            messages.error(request, exc.message)
    except (subscriptions.PurchaseError, entitlements.SeatError) as exc:
        messages.error(request, exc.message)
    except gateway.BillingGatewayError as exc:
        messages.error(request, exc.message)
    else:
        if message:
            messages.success(request, message)
    return HttpResponseRedirect(url)


@require_POST
@with_organisation
def subscription_cancel(request, public_id):
    if not request.POST.get("confirmed"):  # first a confirmation: when access ends, what stops
        sub = selectors.get_subscription_for(request.billing_membership.organisation, public_id)
        if _can_manage(request):
            return render(
                request,
                "marketplace/purchase/confirm_cancel.html",
                {"sub": sub, "token": request.POST.get("token") or uuid.uuid4().hex},
            )

    def action(sub):
        subscriptions.set_cancel_at_period_end(sub, True, token=request.POST.get("token", ""))
        return _("Your subscription will end at the end of the paid period. You can resume it until then.")

    return _act(request, public_id, action)


@require_POST
@with_organisation
def subscription_resume(request, public_id):
    def action(sub):
        subscriptions.set_cancel_at_period_end(sub, False, token=request.POST.get("token", ""))
        return _("Your subscription continues and renews as usual.")

    return _act(request, public_id, action)


@require_POST
@with_organisation
def subscription_change(request, public_id):
    def action(sub):
        plans = ListingPlan.objects.filter(listing_id=sub.listing_id, pricing_model__in=RECURRING_MODELS)
        form = ChangePlanForm(request.POST, plans=plans)
        if not form.is_valid():
            raise subscriptions.PurchaseError(_("Choose a plan and a number of seats."))
        plan = plans.get(pk=form.cleaned_data["plan"])
        if not request.POST.get("confirmed"):
            raise _ChangeConfirmation(sub, plan, form.cleaned_data)
        subscriptions.change(
            sub, listing_plan=plan, quantity=form.cleaned_data["quantity"], token=form.cleaned_data["token"]
        )
        return _("Your subscription was changed; the difference is prorated on your invoice.")

    return _act(request, public_id, action)


class _ChangeConfirmation(Exception):
    """Raised inside the change action to show the confirmation page instead of acting."""

    def __init__(self, sub, plan, data):
        super().__init__()
        self.sub, self.plan, self.data = sub, plan, data


def _change_confirmation_page(request, confirmation):
    """The price preview (proration included) for a plan or seat change, with a confirm button."""
    sub, plan, data = confirmation.sub, confirmation.plan, confirmation.data
    price = sub.price
    if plan.pk != sub.listing_plan_id:
        try:
            price = plan_service.price_for(plan, sub.currency)
        except plan_service.PlanNotForSale:
            raise subscriptions.PurchaseError(
                _("This plan cannot be bought in %(currency)s.") % {"currency": sub.currency}
            ) from None
    quantity = data["quantity"] if price.per_seat else 1
    return render(
        request,
        "marketplace/purchase/confirm_change.html",
        {
            "sub": sub,
            "plan": plan,
            "quantity": quantity,
            "token": data["token"],
            "preview": previews.change_preview(sub, price=price, quantity=quantity),
        },
    )


@require_POST
@with_organisation
def seat_assign(request, public_id):
    def action(sub):
        entitlement = getattr(sub, "entitlement", None)
        if entitlement is None:
            raise entitlements.SeatError(_("This subscription has no seats."))
        organisation = request.billing_membership.organisation
        form = SeatForm(request.POST, members=members_of(organisation))
        if not form.is_valid():
            raise entitlements.SeatError(_("Choose a member of your organisation."))
        member = members_of(organisation).get(user_id=form.cleaned_data["user"])
        entitlements.assign_seat(entitlement, member.user, by=request.user)
        return _("%(name)s now has a seat.") % {"name": member.user}

    return _act(request, public_id, action)


@require_POST
@with_organisation
def seat_remove(request, public_id, user_id):
    def action(sub):
        entitlement = getattr(sub, "entitlement", None)
        if entitlement is None:
            raise Http404
        entitlements.unassign_seat(entitlement, user_id)
        return _("The seat is free again.")

    return _act(request, public_id, action)


@with_organisation
def subscription_card(request, public_id):
    """Update the card (after a failed payment) and retry the unpaid invoices with it."""
    organisation = request.billing_membership.organisation
    sub = selectors.get_subscription_for(organisation, public_id)
    url = reverse("purchase:subscription", kwargs={"public_id": sub.public_id})
    if not _can_manage(request):
        return _refuse_non_manager(request, url)
    error = ""
    if request.method == "POST":
        pm = (request.POST.get("payment_method") or "").strip()
        if not pm:
            error = _("Enter your card details.")
        else:
            try:
                paid = subscriptions.update_card_and_pay(sub, payment_method_id=pm)
            except gateway.BillingGatewayError as exc:
                error = exc.message
            else:
                if paid:
                    messages.success(request, _("Your card was updated and the unpaid invoice is paid."))
                else:
                    messages.success(request, _("Your card was updated."))
                return HttpResponseRedirect(url)
    setup_secret, unavailable = "", ""
    try:
        customer = customers.ensure_customer(organisation, email=request.user.email)
        setup_secret = gateway.create_setup_intent(
            customer.stripe_customer_id, idempotency_key=f"symbio-seti-{uuid.uuid4().hex}"
        ).get("client_secret", "")
    except gateway.BillingGatewayError as exc:
        unavailable = exc.message
    return render(
        request,
        "marketplace/purchase/card.html",
        {
            "sub": sub,
            "error": error,
            "unavailable": unavailable,
            "setup_secret": setup_secret,
            "stripe_js_url": gateway.js_url(),
            "stripe_publishable_key": gateway.publishable_key(),
        },
        status=400 if error else 200,
    )


# --- invoices ---------------------------------------------------------------------------------


@with_organisation
def invoice_pdf(request, public_id):
    from themes.pdf import render_pdf

    organisation = request.billing_membership.organisation
    invoice = selectors.get_invoice_for(organisation, public_id)
    receipt = request.GET.get("kind") == "receipt" and invoice.is_paid
    contact = selectors.contacts_of(organisation).filter(is_primary=True).first()
    pdf = render_pdf(
        "marketplace/purchase/invoice_pdf.html",
        {"invoice": invoice, "organisation": organisation, "contact": contact, "receipt": receipt},
        language=request.LANGUAGE_CODE,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    kind = "receipt" if receipt else "invoice"
    response["Content-Disposition"] = f'inline; filename="{kind}-{invoice.number}.pdf"'
    return response


# --- billing contacts -------------------------------------------------------------------------


@with_organisation
def contacts(request, public_id=None):
    organisation = request.billing_membership.organisation
    contact = selectors.get_contact_for(organisation, public_id) if public_id else None
    url = reverse("purchase:contacts")
    if request.method == "POST":
        if not _can_manage(request):
            return _refuse_non_manager(request, url)
        if request.POST.get("delete") and contact is not None:
            contact.delete()
            messages.success(request, _("The billing contact was removed."))
            return HttpResponseRedirect(url)
        form = ContactForm(request.POST, instance=contact)
        if form.is_valid():
            obj = form.save(commit=False)
            obj.organisation = organisation
            customers.save_contact(obj)
            messages.success(request, _("The billing contact was saved."))
            return HttpResponseRedirect(url)
        status = 400
    else:
        form = ContactForm(instance=contact)
        status = 200
    return render(
        request,
        "marketplace/purchase/contacts.html",
        {
            "contacts": selectors.contacts_of(organisation),
            "form": form,
            "editing": contact,
            "can_manage": _can_manage(request),
        },
        status=status,
    )


# --- partner: metered usage -------------------------------------------------------------------


def _partner_of(request):
    organisation = request.billing_membership.organisation
    return getattr(organisation, "partner", None) if organisation.kind == "partner" else None


@with_organisation
def usage_report(request, public_id):
    """The listing's partner reports metered usage for one of its customers' subscriptions."""
    partner = _partner_of(request)
    if partner is None:
        raise Http404
    sub = selectors.metered_subscriptions_for_partner(partner).filter(public_id=public_id).first()
    if sub is None:
        raise Http404
    if request.method == "POST":
        form = UsageForm(request.POST)
        if not _can_manage(request):
            return _refuse_non_manager(request, request.path)
        if form.is_valid():
            try:
                subscriptions.record_usage(
                    sub,
                    quantity=form.cleaned_data["quantity"],
                    user=request.user,
                    key=f"form-{form.cleaned_data['token']}",
                    note=form.cleaned_data["note"],
                    day=form.cleaned_data["day"],
                )
            except (subscriptions.PurchaseError, gateway.BillingGatewayError) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Usage recorded; it is billed on the customer's next invoice."))
                return HttpResponseRedirect(request.path)
    else:
        from django.utils import timezone

        form = UsageForm(initial={"day": timezone.localdate(), "token": _new_token()})
    return render(
        request,
        "marketplace/purchase/usage.html",
        {"sub": sub, "form": form, "records": sub.usage_records.all()[:50]},
    )


@with_organisation
def usage_index(request):
    partner = _partner_of(request)
    if partner is None:
        raise Http404
    return render(
        request,
        "marketplace/purchase/usage_index.html",
        {"subscriptions": selectors.metered_subscriptions_for_partner(partner)},
    )


@with_organisation
def partner_offers(request):
    """A partner's private offers: the list, and a form to make one (owners and admins)."""
    from billing.models import PrivateOffer

    partner = _partner_of(request)
    if partner is None:
        raise Http404
    if request.method == "POST":
        if not _can_manage(request):
            return _refuse_non_manager(request, request.path)
        form = PartnerOfferForm(request.POST, partner=partner)
        if form.is_valid():
            offer = form.save(commit=False)
            offer.organisation = form.cleaned_data["customer"]
            offer.created_by = request.user
            offer.save()
            messages.success(request, _("The offer was sent: only that organisation can see and accept it."))
            return HttpResponseRedirect(request.path)
        status = 400
    else:
        form = PartnerOfferForm(partner=partner)
        status = 200
    offers_qs = PrivateOffer.objects.filter(listing__partner=partner).select_related(
        "organisation", "listing"
    )
    return render(
        request,
        "marketplace/purchase/partner_offers.html",
        {"form": form, "offers": offers_qs, "can_manage": _can_manage(request)},
        status=status,
    )
