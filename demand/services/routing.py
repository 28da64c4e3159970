"""Routing a requirement to qualified partners, set-based.

1. **Hard filters** (:func:`qualified_partners`, one queryset): active (not suspended), of a
   required kind, at or above the minimum tier rank, covering the region, holding every required
   certification through a person whose certificate is valid today, intake not paused.
2. **Score**: industry match, certification depth (valid certified people, capped), rating (the
   latest ``avg_rating`` fact) and current load (open invitations, a penalty) — one grouped query
   per signal over the qualified set, never a query per partner.
3. **Fair order**: scores are bucketed (``SCORE_BUCKET`` points = near-equal); within a bucket the
   least recently invited partner comes first (round-robin), then the oldest partner id.

The top ``notify_limit`` become :class:`Invitation` rows with the reasons the partner is shown.
"""

import math
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from demand.models import Invitation, InvitationSource, PartnerIntake, Requirement, RequirementMode
from partners.models import CertifiedPerson, MetricSlug, Partner, PartnerFact

SCORE_BUCKET = 5.0
WEIGHT_INDUSTRY = 40.0
WEIGHT_CERT_PERSON = 2.0
CERT_DEPTH_CAP = 10
WEIGHT_RATING = 4.0
WEIGHT_LOAD = 2.0
LOAD_CAP = 10
OPEN_STATES = ("open", "shortlisting")


def _valid_people(today):
    return CertifiedPerson.objects.filter(partner=OuterRef("pk"), issued_on__lte=today, expires_on__gt=today)


def qualified_partners(*, requirement: Requirement, now=None):
    """Partners passing every hard filter of ``requirement`` (one queryset, no loops over partners)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = Partner.objects.filter(status=Partner.Status.ACTIVE)
    if requirement.required_kinds:
        qs = qs.filter(kind__in=requirement.required_kinds)
    if requirement.min_tier_rank is not None:
        qs = qs.filter(tier__rank__gte=requirement.min_tier_rank)
    if requirement.region_id:
        qs = qs.filter(
            Exists(
                Partner.regions.through.objects.filter(
                    partner_id=OuterRef("pk"), region_id=requirement.region_id
                )
            )
        )
    for certification_id in requirement.required_certifications.values_list("pk", flat=True):
        qs = qs.filter(Exists(_valid_people(today).filter(certification_id=certification_id)))
    paused = PartnerIntake.objects.filter(partner=OuterRef("pk"), paused_until__gt=now)
    return qs.exclude(Exists(paused))


def ranked_partners(*, requirement: Requirement, now=None, limit: int | None = None) -> list[dict]:
    """Qualified, not yet invited partners as ``{"pk", "score", "industry_match", "cert_depth"}``,
    best first and fair among near-equals (see the module docstring).

    Five queries whatever the number of partners: the qualified set (with its industry match),
    then one grouped query each for certification depth, latest rating, and load with the last
    invitation, all restricted to the qualified ids; the score is computed from those rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if requirement.industry_id:
        industry = Exists(
            Partner.industries.through.objects.filter(
                partner_id=OuterRef("pk"), industry_id=requirement.industry_id
            )
        )
    else:
        industry = Value(False)
    qualified = qualified_partners(requirement=requirement, now=now).exclude(
        Exists(Invitation.objects.filter(requirement=requirement, partner=OuterRef("pk")))
    )
    rows = {
        pk: {"pk": pk, "industry_match": bool(match)}
        for pk, match in qualified.annotate(m=industry).values_list("pk", "m")
    }
    if not rows:
        return []
    ids = list(rows)  # a plain list: correlated subqueries here make planners on fresh tables crawl
    depth = dict(
        CertifiedPerson.objects.filter(partner_id__in=ids, issued_on__lte=today, expires_on__gt=today)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )
    rating: dict[int, Decimal] = {}
    for partner_id, value in (
        PartnerFact.objects.filter(
            partner_id__in=ids,
            metric__slug=MetricSlug.AVG_RATING,
            month__gte=today.replace(day=1) - timedelta(days=92),
        )
        .order_by("partner_id", "month")
        .values_list("partner_id", "value")
    ):
        rating[partner_id] = value  # ascending months: the latest wins
    load, last = {}, {}
    for partner_id, n, latest in (
        Invitation.objects.filter(partner_id__in=ids)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk", filter=Q(requirement__state__in=OPEN_STATES)), m=Max("created_at"))
        .values_list("partner_id", "n", "m")
    ):
        load[partner_id], last[partner_id] = n, latest
    for pk, row in rows.items():
        row["cert_depth"] = depth.get(pk, 0)
        row["score"] = (
            WEIGHT_INDUSTRY * row["industry_match"]
            + WEIGHT_CERT_PERSON * min(row["cert_depth"], CERT_DEPTH_CAP)
            + WEIGHT_RATING * float(rating.get(pk, 0))
            - WEIGHT_LOAD * min(load.get(pk, 0), LOAD_CAP)
        )
        row["bucket"] = math.floor(row["score"] / SCORE_BUCKET)
        row["last_invited_at"] = last.get(pk)

    def order(row):
        invited = row["last_invited_at"]
        return (-row["bucket"], invited is not None, invited.timestamp() if invited else 0, row["pk"])

    ranked = sorted(rows.values(), key=order)
    return ranked[:limit] if limit is not None else ranked


def _reasons(
    requirement: Requirement, *, industry_match: bool, cert_depth: int = 0, certs=None
) -> list[dict]:
    """Why a partner was matched, as codes with bilingual parameters (rendered by the selectors)."""
    reasons = []
    if requirement.region_id:
        region = requirement.region
        reasons.append({"code": "region", "zh": region.name, "en": region.name_en or region.name})
    if certs:
        reasons.append(
            {
                "code": "certifications",
                "zh": "、".join(c.name for c in certs),
                "en": ", ".join(c.name_en or c.name for c in certs),
            }
        )
    if requirement.required_kinds:
        reasons.append({"code": "kind", "value": list(requirement.required_kinds)})
    if requirement.min_tier_rank is not None:
        reasons.append({"code": "tier", "value": requirement.min_tier_rank})
    if industry_match and requirement.industry_id:
        industry = requirement.industry
        reasons.append({"code": "industry", "zh": industry.name, "en": industry.name_en or industry.name})
    if cert_depth:
        reasons.append({"code": "depth", "value": int(cert_depth)})
    return reasons


def reasons_for(requirement: Requirement, partner: Partner) -> list[dict]:
    industry_match = bool(
        requirement.industry_id and partner.industries.filter(pk=requirement.industry_id).exists()
    )
    return _reasons(
        requirement, industry_match=industry_match, certs=list(requirement.required_certifications.all())
    )


@transaction.atomic
def route(*, requirement: Requirement, limit: int | None = None, now=None) -> list[Invitation]:
    """Invite the top ``limit`` (default ``requirement.notify_limit``) ranked partners."""
    limit = requirement.notify_limit if limit is None else limit
    ranked = ranked_partners(requirement=requirement, now=now, limit=limit)
    certs = list(requirement.required_certifications.all())
    invitations = [
        Invitation(
            requirement=requirement,
            partner_id=row["pk"],
            source=InvitationSource.ROUTED,
            score=Decimal(str(round(row["score"], 2))),
            reasons=_reasons(
                requirement,
                industry_match=bool(row["industry_match"]),
                cert_depth=row["cert_depth"],
                certs=certs,
            ),
        )
        for row in ranked
    ]
    created = Invitation.objects.bulk_create(invitations)
    _notify(requirement, [i.partner_id for i in created])
    return created


def _invite(requirement: Requirement, partners, source: str) -> list[Invitation]:
    partner_ids = list(
        qualified_partners(requirement=requirement)
        .filter(pk__in=[p.pk for p in partners])
        .values_list("pk", flat=True)
    )
    certs = list(requirement.required_certifications.all())
    created = Invitation.objects.bulk_create(
        [
            Invitation(
                requirement=requirement,
                partner_id=pid,
                source=source,
                reasons=_reasons(requirement, industry_match=False, certs=certs),
            )
            for pid in partner_ids
        ],
        ignore_conflicts=True,
    )
    _notify(requirement, partner_ids)
    return created


def invite_for_mode(*, requirement: Requirement) -> int:
    """Invitations when a requirement opens; returns how many qualified partners were notified
    (for open claim: how many may claim)."""
    if requirement.mode == RequirementMode.ROUTED:
        return len(route(requirement=requirement))
    if requirement.mode == RequirementMode.OPEN_CLAIM:
        return qualified_partners(requirement=requirement).count()
    if requirement.mode == RequirementMode.DIRECTED:
        invited = _invite(requirement, [requirement.directed_partner], InvitationSource.DIRECTED)
        return len(invited) if invited else len(route(requirement=requirement))  # not qualified: route
    return len(_invite(requirement, list(requirement.invited_partners.all()), InvitationSource.INVITED))


def fall_back_directed(*, now=None) -> int:
    """Directed requirements without a proposal three business days after opening are routed."""
    from demand.services.calendar import add_business_days

    now = now or timezone.now()
    count = 0
    candidates = Requirement.objects.filter(mode=RequirementMode.DIRECTED, state="open").filter(
        ~Q(proposals__isnull=False)
    )
    for requirement in candidates.distinct():
        if requirement.opened_at and add_business_days(requirement.opened_at, 3) <= now:
            Requirement.objects.filter(pk=requirement.pk).update(mode=RequirementMode.ROUTED)
            requirement.mode = RequirementMode.ROUTED
            route(requirement=requirement)
            count += 1
    return count


def _notify(requirement: Requirement, partner_ids: list[int]) -> None:
    if not partner_ids:
        return
    transaction.on_commit(lambda: send_invitation_emails(requirement.pk, partner_ids))


def send_invitation_emails(requirement_id: int, partner_ids: list[int]) -> int:
    from demand.services import notify

    requirement = Requirement.objects.get(pk=requirement_id)
    sent = 0
    for partner in Partner.objects.filter(pk__in=partner_ids).select_related("organisation"):
        sent += notify.send_to_users(
            "demand/email/requirement_invited",
            notify.partner_managers(partner),
            lambda language, partner=partner: {
                "requirement": requirement,
                "partner": partner,
                "url": notify.url_in(language, "demand:hall-detail", public_id=requirement.public_id),
            },
        )
    return sent


MAX_PAUSE_DAYS = 30
PAUSE_TOO_LONG = gettext_noop("Intake can be paused for 1 to %(max)s days.")


def pause_intake(*, partner: Partner, days: int, now=None) -> PartnerIntake:
    """Stop new invitations to ``partner`` for ``days`` (1–30); ``days=0`` resumes at once."""
    from core.exceptions import ApplicationError

    if not 0 <= days <= MAX_PAUSE_DAYS:
        raise ApplicationError(_(PAUSE_TOO_LONG) % {"max": MAX_PAUSE_DAYS}, field="days")
    now = now or timezone.now()
    intake, _created = PartnerIntake.objects.update_or_create(
        partner=partner, defaults={"paused_until": now + timedelta(days=days) if days else None}
    )
    return intake
