"""Reads for demand. ``get_*_for_*`` return the object or raise 404 (never another organisation's)."""

from datetime import datetime, time

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import is_english
from demand.models import Invitation, Lead, Proposal, Requirement, RequirementMode, RequirementState
from demand.services.requirements import VISIBLE_TO_PARTNERS
from partners.models import PartnerKind

# --- leads ---------------------------------------------------------------------------------


def inbox(*, partner, state: str | None = None):
    qs = (
        Lead.objects.filter(partner=partner, verified_at__isnull=False)
        .select_related("listing")
        .annotate(message_count=Count("messages"))
        .order_by("-created_at")
    )
    return qs.filter(state=state) if state else qs


def get_lead_for_partner(*, partner, public_id) -> Lead:
    lead = (
        Lead.objects.filter(partner=partner, public_id=public_id, verified_at__isnull=False)
        .select_related("listing", "customer_organisation")
        .first()
    )
    if lead is None:
        raise Http404
    return lead


def enquiries_of(*, user):
    return (
        Lead.objects.filter(customer_user=user)
        .select_related("partner__organisation", "listing")
        .order_by("-created_at")
    )


def get_enquiry_for_user(*, user, public_id) -> Lead:
    lead = enquiries_of(user=user).filter(public_id=public_id).first()
    if lead is None:
        raise Http404
    return lead


def thread(lead: Lead):
    return lead.messages.select_related("author").order_by("created_at", "pk")


def overdue_leads(*, now=None):
    now = now or timezone.now()
    return (
        Lead.objects.filter(verified_at__isnull=False, first_responded_at=None, first_response_due__lt=now)
        .select_related("partner__organisation", "listing")
        .order_by("first_response_due")
    )


# --- requirements ------------------------------------------------------------------------


def requirements_of(*, organisation):
    return (
        Requirement.objects.filter(customer_organisation=organisation)
        .annotate(
            proposal_count=Count("proposals", distinct=True),
            invitation_count=Count("invitations", distinct=True),
        )
        .order_by("-created_at")
    )


def get_requirement_for_customer(*, organisation, public_id) -> Requirement:
    requirement = (
        Requirement.objects.filter(customer_organisation=organisation, public_id=public_id)
        .select_related("industry", "region", "directed_partner__organisation")
        .first()
    )
    if requirement is None:
        raise Http404
    return requirement


def _claimable_by(partner, *, now=None):
    """Open-claim requirements whose hard filters ``partner`` passes, as one queryset (the
    requirement-side mirror of ``routing.qualified_partners``)."""
    from demand.models import PartnerIntake
    from partners.models import CertifiedPerson

    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = Requirement.objects.filter(mode=RequirementMode.OPEN_CLAIM, state=RequirementState.OPEN)
    paused = PartnerIntake.objects.filter(partner=partner, paused_until__gt=now).exists()
    if partner.status != partner.Status.ACTIVE or paused:
        return qs.none()
    qs = qs.filter(Q(required_kinds=[]) | Q(required_kinds__icontains=f'"{partner.kind}"'))
    rank = partner.tier.rank if partner.tier_id else -1
    qs = qs.filter(Q(min_tier_rank__isnull=True) | Q(min_tier_rank__lte=rank))
    regions = partner.regions.values("pk")
    qs = qs.filter(Q(region__isnull=True) | Q(region__in=regions))
    valid = CertifiedPerson.objects.filter(
        partner=partner, issued_on__lte=today, expires_on__gt=today
    ).values("certification_id")
    missing = Requirement.required_certifications.through.objects.filter(
        requirement_id=OuterRef("pk")
    ).exclude(certification_id__in=valid)
    return qs.exclude(Exists(missing))


def hall_for_partner(*, partner):
    """Requirements this partner may see: those it is invited to, and open-claim ones whose hard
    filters it passes (a bounded number of queries, whatever the number of requirements)."""
    invited = Invitation.objects.filter(requirement=OuterRef("pk"), partner=partner)
    claimable = _claimable_by(partner).values("pk")
    return (
        Requirement.objects.filter(state__in=VISIBLE_TO_PARTNERS)
        .filter(Q(Exists(invited)) | Q(pk__in=claimable))
        .select_related("industry", "region")
        .annotate(is_invited=Exists(invited), proposal_count=Count("proposals", distinct=True))
        .order_by("proposal_due", "pk")
    )


def get_requirement_for_partner(*, partner, public_id) -> tuple[Requirement, Invitation | None]:
    """(requirement, its invitation of this partner or None when it may still claim) or 404."""
    from demand.services import routing

    requirement = (
        Requirement.objects.filter(public_id=public_id, state__in=VISIBLE_TO_PARTNERS)
        .select_related("industry", "region")
        .first()
    )
    if requirement is None:
        raise Http404
    invitation = Invitation.objects.filter(requirement=requirement, partner=partner).first()
    if invitation is not None:
        return requirement, invitation
    if (
        requirement.mode == RequirementMode.OPEN_CLAIM
        and requirement.state == RequirementState.OPEN
        and routing.qualified_partners(requirement=requirement).filter(pk=partner.pk).exists()
    ):
        return requirement, None
    raise Http404


def proposals_for_compare(*, requirement):
    return (
        Proposal.objects.filter(requirement=requirement)
        .select_related("partner__organisation", "partner__tier")
        .prefetch_related("milestones")
        .annotate(
            certified_people=Count("partner__certified_people", distinct=True),
        )
        .order_by("total", "pk")
    )


def get_proposal_for_customer(*, organisation, public_id) -> Proposal:
    proposal = (
        Proposal.objects.filter(requirement__customer_organisation=organisation, public_id=public_id)
        .select_related("requirement", "partner__organisation")
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def reason_labels(reasons) -> list[str]:
    """The reasons stored on an invitation, in the active language."""
    english = is_english()
    kinds = dict(PartnerKind.choices)
    out = []
    for reason in reasons or []:
        code = reason.get("code")
        name = reason.get("en" if english else "zh", "")
        if code == "region":
            out.append(_("You cover the region %(name)s.") % {"name": name})
        elif code == "certifications":
            out.append(_("You hold the required certifications: %(names)s.") % {"names": name})
        elif code == "kind":
            out.append(
                _("The customer asks for: %(kinds)s.")
                % {"kinds": ", ".join(str(kinds.get(k, k)) for k in reason.get("value", []))}
            )
        elif code == "tier":
            out.append(_("Your tier meets the minimum rank %(rank)s.") % {"rank": reason.get("value")})
        elif code == "industry":
            out.append(_("You serve the industry %(name)s.") % {"name": name})
        elif code == "depth":
            out.append(
                _("%(count)s of your people hold valid certifications.") % {"count": reason.get("value")}
            )
    if not out:
        out.append(_("You pass every requirement the customer set."))
    return out


def moderation_queue():
    return (
        Requirement.objects.filter(state=RequirementState.PENDING_REVIEW)
        .select_related("customer_organisation", "industry", "region")
        .order_by("submitted_at", "pk")
    )


def dashboard_figures(*, now=None) -> dict:
    """The staff dashboard's figures, each from one query: median hours to the first proposal
    (target < 24), share of opened requirements with ≥ 3 proposals (target ≥ 60 %), award rate,
    median days to award, overdue leads and requirements waiting for review."""
    from statistics import median

    from django.db.models import Min

    from demand.models import RequirementTransition

    now = now or timezone.now()
    opened = Requirement.objects.filter(opened_at__isnull=False)
    rows = list(
        opened.annotate(first=Min("proposals__created_at"), n=Count("proposals", distinct=True)).values_list(
            "opened_at", "first", "n", "state"
        )
    )
    first_hours = [(first - at).total_seconds() / 3600 for at, first, _n, _s in rows if first]
    awarded_states = {"awarded", "in_delivery", "acceptance", "closed"}
    decided = [s for *_x, s in rows if s in awarded_states | {"expired", "cancelled"}]
    award_days = [
        (at - opened_at).total_seconds() / 86400
        for opened_at, at in RequirementTransition.objects.filter(
            to_state="awarded", requirement__opened_at__isnull=False
        ).values_list("requirement__opened_at", "at")
    ]
    return {
        "opened": len(rows),
        "median_hours_to_first_proposal": round(median(first_hours), 1) if first_hours else None,
        "share_with_three_proposals": round(100 * sum(1 for *_x, n, _s in rows if n >= 3) / len(rows))
        if rows
        else None,
        "award_rate": round(100 * sum(1 for s in decided if s in awarded_states) / len(decided))
        if decided
        else None,
        "median_days_to_award": round(median(award_days), 1) if award_days else None,
        "overdue_leads": overdue_leads(now=now).count(),
        "waiting_review": Requirement.objects.filter(state=RequirementState.PENDING_REVIEW).count(),
    }


def _month_starts(today, months: int) -> list:
    first = today.replace(day=1)
    out = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        out.append(first.replace(year=year, month=month + 1))
    return out


def dashboard_trend(*, months: int = 6, now=None) -> dict:
    """The dashboard's figures month by month (by the month a requirement opened; leads by the
    month they arrived), for the last ``months`` months including this one — the same
    definitions as ``dashboard_figures``. Three queries whatever the volume."""
    from statistics import median

    from django.db.models import Min

    from demand.models import RequirementTransition

    now = now or timezone.now()
    starts = _month_starts(timezone.localdate(now), months)
    labels = [s.strftime("%Y-%m") for s in starts]

    def bucket(moment):
        key = timezone.localtime(moment).strftime("%Y-%m")
        return labels.index(key) if key in labels else None

    first_hours = [[] for _ in labels]
    counts = [[0, 0] for _ in labels]  # opened, with ≥ 3 proposals
    decided = [[0, 0] for _ in labels]  # decided, awarded
    award_days = [[] for _ in labels]
    overdue = [0 for _ in labels]
    window_start = timezone.make_aware(datetime.combine(starts[0], time.min))
    awarded_states = {"awarded", "in_delivery", "acceptance", "closed"}
    rows = (
        Requirement.objects.filter(opened_at__gte=window_start)
        .annotate(first=Min("proposals__created_at"), n=Count("proposals", distinct=True))
        .values_list("opened_at", "first", "n", "state")
    )
    for opened_at, first, n, state in rows:
        i = bucket(opened_at)
        if i is None:
            continue
        counts[i][0] += 1
        counts[i][1] += n >= 3
        if first:
            first_hours[i].append((first - opened_at).total_seconds() / 3600)
        if state in awarded_states | {"expired", "cancelled"}:
            decided[i][0] += 1
            decided[i][1] += state in awarded_states
    for opened_at, at in RequirementTransition.objects.filter(
        to_state="awarded", requirement__opened_at__gte=window_start
    ).values_list("requirement__opened_at", "at"):
        i = bucket(opened_at)
        if i is not None:
            award_days[i].append((at - opened_at).total_seconds() / 86400)
    for created in (
        Lead.objects.filter(
            verified_at__isnull=False, created_at__gte=window_start, first_response_due__isnull=False
        )
        .filter(
            Q(first_responded_at__isnull=True, first_response_due__lt=now)
            | Q(first_responded_at__gt=F("first_response_due"))
        )
        .values_list("created_at", flat=True)
    ):
        i = bucket(created)
        if i is not None:
            overdue[i] += 1
    return {
        "labels": labels,
        "median_hours_to_first_proposal": [round(median(h), 1) if h else None for h in first_hours],
        "share_with_three_proposals": [round(100 * w / o) if o else None for o, w in counts],
        "award_rate": [round(100 * a / d) if d else None for d, a in decided],
        "median_days_to_award": [round(median(d), 1) if d else 0 for d in award_days],
        "overdue_leads": overdue,
    }
