"""Account overlap between two co-selling partners (Crossbeam's rule): a count for both sides
until both agree to share names; each agreement is one partner's, revocable at any time.

Two partners are co-selling when one invited the other onto a deal (any answer but a decline).
Only such a pair can see each other's overlap page; for anyone else the other partner does not
exist (404 in the views). Every agreement and revocation is an audit log entry.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from cosell.models import CoSellInvite, MatchKey, OverlapConsent
from cosell.selectors import OVERLAP_STATUSES, account_overlap

NAMES_LIMIT = 200
NOT_CO_SELLING = gettext_lazy("You can share account overlap only with partners you co-sell with.")


def co_selling(*, partner, other) -> bool:
    if partner is None or other is None or partner.pk == other.pk:
        return False
    return (
        CoSellInvite.objects.filter(
            Q(registration__partner=partner, partner=other) | Q(registration__partner=other, partner=partner)
        )
        .exclude(status=CoSellInvite.Status.DECLINED)
        .exists()
    )


def co_sellers(*, partner):
    """The partners ``partner`` co-sells with (either direction, not declined)."""
    from partners.models import Partner

    pairs = CoSellInvite.objects.exclude(status=CoSellInvite.Status.DECLINED)
    invited = pairs.filter(registration__partner=partner).values("partner")
    inviters = pairs.filter(partner=partner).values("registration__partner")
    return (
        Partner.objects.filter(Q(pk__in=invited) | Q(pk__in=inviters))
        .exclude(pk=partner.pk)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def agreement(*, partner, other) -> dict:
    """Who agreed: ``mine`` (``partner`` agreed), ``theirs`` (``other`` agreed), ``both``."""
    rows = set(
        OverlapConsent.objects.filter(
            Q(partner=partner, other=other) | Q(partner=other, other=partner)
        ).values_list("partner_id", flat=True)
    )
    mine, theirs = partner.pk in rows, other.pk in rows
    return {"mine": mine, "theirs": theirs, "both": mine and theirs}


@transaction.atomic
def agree(*, partner, other, user) -> OverlapConsent:
    from core.exceptions import NotAllowed

    if not co_selling(partner=partner, other=other):
        raise NotAllowed(NOT_CO_SELLING)
    consent, created = OverlapConsent.objects.get_or_create(
        partner=partner, other=other, defaults={"agreed_by": user}
    )
    if created:
        log(instance=partner, action="cosell.overlap_agree", user=user, data={"other": other.pk})
    return consent


@transaction.atomic
def revoke(*, partner, other, user) -> bool:
    deleted, _ = OverlapConsent.objects.filter(partner=partner, other=other).delete()
    if deleted:
        log(instance=partner, action="cosell.overlap_revoke", user=user, data={"other": other.pk})
    return bool(deleted)


def overlap(*, partner, other) -> dict:
    """What ``partner`` may see of its overlap with ``other``: always the count; the pairs of
    customer names (``partner``'s registration, ``other``'s) only when both agreed."""
    consent = agreement(partner=partner, other=other)
    result = {"count": account_overlap(partner=partner, other=other), "names": None, **consent}
    if consent["both"]:
        result["names"] = shared_names(partner=partner, other=other)
    return result


def _keys(partner) -> dict:
    by_registration: dict = {}
    for reg_id, key in (
        MatchKey.objects.filter(registration__partner=partner, registration__status__in=OVERLAP_STATUSES)
        .exclude(key__startswith="tel:")
        .values_list("registration_id", "key")
    ):
        by_registration.setdefault(reg_id, set()).add(key)
    return by_registration


def shared_names(*, partner, other) -> list[tuple[str, str]]:
    """(``partner``'s customer, ``other``'s customer) for each overlapping pair of registrations,
    matched on the same blocking keys as :func:`cosell.selectors.account_overlap`. Only call it
    when both agreed (:func:`overlap` does)."""
    from cosell.models import DealRegistration

    mine, theirs = _keys(partner), _keys(other)
    owner_of_key: dict = {}
    for reg_id, keys in theirs.items():
        for key in keys:
            owner_of_key.setdefault(key, set()).add(reg_id)
    pairs = sorted({(m, t) for m, keys in mine.items() for key in keys for t in owner_of_key.get(key, ())})[
        :NAMES_LIMIT
    ]
    regs = DealRegistration.objects.in_bulk({pk for pair in pairs for pk in pair})
    seen, out = set(), []
    for m, t in pairs:
        names = (regs[m].customer_display, regs[t].customer_display)
        if names not in seen:
            seen.add(names)
            out.append(names)
    return out
