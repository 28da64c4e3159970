"""The conflict check: which open registrations of other partners, existing customers and direct
accounts look like the same customer.

Candidates come from the indexed blocking keys (``MatchKey``), then each is scored with
``cosell.matching.score``; only scores at or above ``THRESHOLD`` are conflicts. The write side
(:func:`store_keys`) keeps the keys in step with the customer fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from cosell.matching import THRESHOLD, Company, Keys, blocking_keys, company_keys, score
from cosell.models import OPEN_STATUSES, DealRegistration, KnownAccount, MatchKey

MAX_CANDIDATES = 2000  # per check: a very broad prefix key cannot make the check unbounded


@dataclass(frozen=True)
class Hit:
    score: float
    registration: DealRegistration | None = None
    account: KnownAccount | None = None


def registration_company(registration: DealRegistration) -> Company:
    return Company(
        name_zh=registration.customer_name,
        name_en=registration.customer_name_en,
        uscc=registration.customer_uscc,
        domain=registration.customer_domain,
        phone=registration.contact_phone,
        email=registration.contact_email,
    )


def account_company(account: KnownAccount) -> Company:
    return Company(name_zh=account.name, name_en=account.name_en, uscc=account.uscc, domain=account.domain)


def store_keys(*, registration: DealRegistration | None = None, account: KnownAccount | None = None) -> Keys:
    """Replace the blocking keys of one registration or known account."""
    owner = {"registration": registration} if registration is not None else {"account": account}
    company = registration_company(registration) if registration is not None else account_company(account)
    keys = company_keys(company)
    MatchKey.objects.filter(**owner).delete()
    MatchKey.objects.bulk_create([MatchKey(key=key, **owner) for key in blocking_keys(keys)])
    return keys


def lock_keys(keys: Keys) -> None:
    """Serialise checks of the same customer: a transaction-scoped advisory lock per blocking
    key, taken in sorted order (no deadlocks). The second of two concurrent submissions waits
    here until the first commits, then sees it. SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in blocking_keys(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 14))", [key])


def find_conflicts(registration: DealRegistration, keys: Keys | None = None) -> list[Hit]:
    """Open registrations of *other* partners and known accounts matching the customer, best first."""
    keys = keys or company_keys(registration_company(registration))
    block = blocking_keys(keys)
    if not block:
        return []
    rows = list(
        MatchKey.objects.filter(key__in=block).values_list("registration_id", "account_id")[:MAX_CANDIDATES]
    )
    reg_ids = {r for r, _a in rows if r}
    acc_ids = {a for _r, a in rows if a}
    hits = []
    others = DealRegistration.objects.filter(pk__in=reg_ids, status__in=OPEN_STATUSES).exclude(
        partner_id=registration.partner_id
    )
    for other in others.only(
        "pk",
        "partner_id",
        "status",
        "customer_name",
        "customer_name_en",
        "customer_uscc",
        "customer_domain",
        "contact_phone",
        "contact_email",
        "submitted_at",
    ):
        value = score(keys, company_keys(registration_company(other)))
        if value >= THRESHOLD:
            hits.append(Hit(score=value, registration=other))
    for account in KnownAccount.objects.filter(pk__in=acc_ids):
        value = score(keys, company_keys(account_company(account)))
        if value >= THRESHOLD:
            hits.append(Hit(score=value, account=account))
    hits.sort(key=lambda h: -h.score)
    return hits


def matching_registrations(company: Company, *, statuses, listing_id: int | None = None) -> list:
    """Registrations (any partner) in ``statuses`` whose customer matches ``company``, oldest
    submission first; optionally only those naming ``listing_id``."""
    keys = company_keys(company)
    block = blocking_keys(keys)
    if not block:
        return []
    ids = MatchKey.objects.filter(key__in=block, registration__isnull=False).values("registration_id")
    qs = DealRegistration.objects.filter(pk__in=ids, status__in=statuses)
    if listing_id is not None:
        qs = qs.filter(listings__id=listing_id)
    ordered = qs.distinct().order_by("submitted_at", "pk")
    return [r for r in ordered if score(keys, company_keys(registration_company(r))) >= THRESHOLD]
