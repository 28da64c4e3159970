"""The partner's demand index (``/demand/console/``): leads waiting, the requirements hall and the
partner's own proposals, each linking to its page. Members of a partner only (others 404)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from demand import selectors
from demand.models import LeadState, Proposal
from partners.selectors.access import get_partner_for_request_or_404


@login_required
def index(request):
    partner = get_partner_for_request_or_404(request)
    proposals = list(
        Proposal.objects.filter(partner=partner).select_related("requirement").order_by("-updated_at")[:50]
    )
    context = {
        "partner": partner,
        "new_leads": selectors.inbox(partner=partner, state=LeadState.NEW).count(),
        "hall_count": selectors.hall_for_partner(partner=partner).count(),
        "proposals": proposals,
    }
    return render(request, "demand/console/index.html", context)
