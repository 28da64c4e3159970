"""Enquiries: the customer form (from a listing or a partner profile), the customer's threads,
and the partner's inbox in the console. Another organisation's lead is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Organisation
from catalog.models import ListingPage
from core.exceptions import ApplicationError
from demand import selectors
from demand.forms import LeadForm, LeadStateForm, ReplyForm
from demand.models import LeadState, LeadTopic
from demand.services import leads as lead_services
from partners.models import Partner
from partners.selectors.access import get_partner_for_request_or_404

HONEYPOT_FIELD = "website"


def _target(request):
    """(partner, listing or None) from ``?listing=<id>`` or ``?partner=<slug>``, else 404."""
    source = request.POST if request.method == "POST" else request.GET
    listing_id = source.get("listing") or request.GET.get("listing")
    if listing_id:
        if not str(listing_id).isdigit():
            raise Http404
        listing = (
            ListingPage.objects.live().select_related("partner__organisation").filter(pk=listing_id).first()
        )
        if listing is None or listing.partner_id is None:
            raise Http404
        return listing.partner, listing
    slug = source.get("partner") or request.GET.get("partner")
    partner = (
        Partner.objects.select_related("organisation")
        .filter(organisation__slug=slug, status="active")
        .first()
        if slug
        else None
    )
    if partner is None:
        raise Http404
    return partner, None


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def enquire(request):
    partner, listing = _target(request)
    user = request.user if request.user.is_authenticated else None
    initial = {
        "topic": request.GET.get("topic") if request.GET.get("topic") in LeadTopic.values else LeadTopic.ASK
    }
    if user:
        initial.update(contact_name=str(user), email=user.email)
    form = LeadForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            # A bot filled the hidden field: pretend success, store nothing.
            return render(
                request, "demand/customer/enquiry_sent.html", {"partner": partner, "verified": False}
            )
        if form.is_valid():
            data = form.cleaned_data
            organisation = request.organisation if user else None
            if organisation is not None and organisation.kind != Organisation.Kind.CUSTOMER:
                organisation = None
            try:
                lead = lead_services.create_lead(
                    partner=partner,
                    listing=listing,
                    user=user,
                    organisation=organisation,
                    contact_name=data["contact_name"],
                    email=data["email"],
                    phone=data["phone"],
                    company=data["company"],
                    topic=data["topic"],
                    message=data["message"],
                    preferred_contact=data["preferred_contact"],
                    consent=data["consent"],
                    language=get_language(),
                    ip=_client_ip(request),
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 429 if error.code == "rate_limited" else 400
            else:
                if user:
                    messages.success(
                        request, _("Your enquiry was sent to %(partner)s.") % {"partner": partner}
                    )
                    return redirect("demand:my-enquiry", public_id=lead.public_id)
                return render(
                    request, "demand/customer/enquiry_sent.html", {"partner": partner, "verified": False}
                )
        else:
            status = 400
    context = {"form": form, "partner": partner, "listing": listing, "honeypot": HONEYPOT_FIELD}
    return render(request, "demand/customer/enquire.html", context, status=status)


def verify(request, token):
    lead = lead_services.verify_lead(token=token)
    if lead is None:
        raise Http404
    return render(request, "demand/customer/enquiry_sent.html", {"partner": lead.partner, "verified": True})


@login_required
def my_enquiries(request):
    return render(
        request, "demand/customer/enquiries.html", {"leads": selectors.enquiries_of(user=request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_enquiry(request, public_id):
    lead = selectors.get_enquiry_for_user(user=request.user, public_id=public_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead_services.reply(
                lead=lead, user=request.user, body=form.cleaned_data["body"], from_partner=False
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("demand:my-enquiry", public_id=lead.public_id)
    context = {"lead": lead, "thread": selectors.thread(lead), "form": form}
    return render(request, "demand/customer/enquiry.html", context)


@login_required
def inbox(request):
    partner = get_partner_for_request_or_404(request)
    state = request.GET.get("state") if request.GET.get("state") in LeadState.values else None
    leads = list(selectors.inbox(partner=partner, state=state)[:200])
    context = {
        "partner": partner,
        "leads": leads,
        "state": state,
        "states": LeadState.choices,
        "now": timezone.now(),
    }
    return render(request, "demand/console/inbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inbox_detail(request, public_id):
    partner = get_partner_for_request_or_404(request)
    lead = selectors.get_lead_for_partner(partner=partner, public_id=public_id)
    reply_form = ReplyForm(request.POST if request.POST.get("action") == "reply" else None)
    state_form = LeadStateForm(request.POST if request.POST.get("action") == "state" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reply" and reply_form.is_valid():
                lead_services.reply(
                    lead=lead, user=request.user, body=reply_form.cleaned_data["body"], from_partner=True
                )
                messages.success(request, _("Your reply was sent."))
                return redirect("demand:inbox-detail", public_id=lead.public_id)
            if request.POST.get("action") == "state" and state_form.is_valid():
                lead_services.change_state(
                    lead=lead,
                    to_state=state_form.cleaned_data["state"],
                    reason=state_form.cleaned_data["reason"],
                    user=request.user,
                )
                messages.success(request, _("The lead was updated."))
                return redirect("demand:inbox-detail", public_id=lead.public_id)
        except ApplicationError as error:
            messages.error(request, error.message)
    next_states = [
        (s, LeadState(s).label) for s in LeadState.values if s in lead_services.LEAD_TRANSITIONS[lead.state]
    ]
    state_form.fields["state"].choices = next_states
    context = {
        "partner": partner,
        "lead": lead,
        "thread": selectors.thread(lead),
        "reply_form": reply_form,
        "state_form": state_form if next_states else None,
    }
    return render(
        request, "demand/console/lead.html", context, status=400 if request.method == "POST" else 200
    )
