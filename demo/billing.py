"""Demo billing history: trials, subscriptions, 24 months of invoices and payments with ledger
entries, commission, monthly payout statements (paid out through "Connect", except the last
month's), fulfilment settings and deliveries — then the billing facts for those months.

Built from the catalogue's usage records (``ListingUsage``: which demo customer used which live
listing, from when to when): a *trial* usage becomes a trial (expired or active); a
*subscription* usage becomes a subscription (monthly, annual, per seat, usage-based or a
one-time purchase, following the listing's first paid plan), most of them preceded by a trial
that converted. One subscription is past due, ended usages are cancelled; a few payments failed
before succeeding and a few were partly refunded.

Local records only: no Stripe calls; ids look like ``demo_in_…``. Deterministic (one named
random stream, rows in a fixed order) and idempotent: when demo invoices exist the history is
left alone and only the facts are reported again. Ledger rows are built by the same functions
the webhooks use, and statements by the payout service, so the finance reconciliation holds.

One module because the history is drawn in one pass over the usage records from one random stream;
splitting it would change the draws and the links between invoices, ledger and statements.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from billing import events as billing_events
from billing.models import (
    ConnectAccount,
    Entitlement,
    FulfilmentEndpoint,
    Interval,
    Invoice,
    LedgerEntry,
    LedgerKind,
    Payout,
    PayoutStatement,
    PlanPrice,
    Subscription,
    Trial,
    UsageType,
)
from billing.services import commission as commission_service
from billing.services import facts as facts_service
from billing.services import fulfilment as fulfilment_service
from billing.services import ledger as ledger_service
from billing.services import payouts as payout_service
from catalog.models import ListingPage, ListingPlan, ListingUsage, PricingModel, UsageKind
from core.money import Currency, quantize
from demo.base import DEMO_TODAY, SeedContext
from partners.models import Delivery, Event, Partner, PartnerKind, Tier, WebhookEndpoint

PREFIX = "demo_"
NUMBER_PREFIX = "DEMO-"
MONTHS = 24
FIRST_MONTH = date(DEMO_TODAY.year - 2 + (DEMO_TODAY.month == 12), DEMO_TODAY.month % 12 + 1, 1)
LAST_MONTH = DEMO_TODAY.replace(day=1)
PAID_PRICING = (
    PricingModel.FLAT_MONTHLY,
    PricingModel.FLAT_ANNUAL,
    PricingModel.PER_SEAT,
    PricingModel.USAGE,
    PricingModel.ONE_TIME,
)
# Commission rules of the demo programme (the rest pays the 15 % default).
KIND_RATES = {PartnerKind.SERVICE: Decimal("0.1200"), PartnerKind.CHANNEL: Decimal("0.1000")}
TOP_TIER_RATE = Decimal("0.1000")


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def demo_partner_ids():
    return Partner.objects.filter(organisation__website__endswith=".example.com").values_list("pk", flat=True)


def seed(ctx: SeedContext) -> None:
    with ctx.section("Billing: commission rules and Connect accounts") as counts:
        counts.update(seed_rules())
    if Invoice.objects.filter(number__startswith=NUMBER_PREFIX).exists():
        ctx.log("  billing history exists: left alone")
    else:
        with ctx.section("Billing: trials, subscriptions, invoices and ledger") as counts:
            counts.update(seed_history(ctx))
        with ctx.section("Billing: payout statements and payouts") as counts:
            counts.update(seed_statements())
        with ctx.section("Billing: fulfilment") as counts:
            counts.update(seed_fulfilment(ctx))
    with ctx.section("Billing: facts") as counts:
        counts["facts"] = facts_service.report(FIRST_MONTH, LAST_MONTH)


def reset(ctx: SeedContext) -> None:
    with ctx.section("Reset: demo billing") as counts:
        counts.update(reset_history())


def reset_history() -> dict[str, int]:
    partner_ids = list(demo_partner_ids())
    demo_org = Q(organisation__website__endswith=".example.com")
    counts = {}
    counts["ledger entries"] = LedgerEntry.objects.filter(partner_id__in=partner_ids).delete()[0]
    counts["payouts"] = Payout.objects.filter(partner_id__in=partner_ids).delete()[0]
    counts["statements"] = PayoutStatement.objects.filter(partner_id__in=partner_ids).delete()[0]
    WebhookEndpoint.objects.filter(partner_id__in=partner_ids, fulfilment__isnull=False).delete()
    Event.objects.filter(partner_id__in=partner_ids, type__startswith="entitlement.").delete()
    FulfilmentEndpoint.objects.filter(partner_id__in=partner_ids).delete()
    ConnectAccount.objects.filter(partner_id__in=partner_ids).delete()
    counts["invoices"] = Invoice.objects.filter(demo_org | Q(number__startswith=NUMBER_PREFIX)).delete()[0]
    Entitlement.objects.filter(demo_org).delete()
    Trial.objects.filter(demo_org).update(converted_to=None)
    counts["subscriptions"] = Subscription.objects.filter(demo_org).delete()[0]
    counts["trials"] = Trial.objects.filter(demo_org).delete()[0]
    PlanPrice.objects.filter(stripe_price_id__startswith=PREFIX, subscriptions__isnull=True).delete()
    return counts


def seed_rules() -> dict[str, int]:
    for kind, rate in KIND_RATES.items():
        rule, _created = commission_service.CommissionRule.objects.get_or_create(
            partner_kind=kind, tier=None, defaults={"rate": rate, "note": "demo"}
        )
    top_tiers = {}
    for tier in Tier.objects.order_by("kind", "rank"):
        top_tiers[tier.kind] = tier
    for tier in top_tiers.values():
        commission_service.CommissionRule.objects.get_or_create(
            tier=tier, defaults={"partner_kind": tier.kind, "rate": TOP_TIER_RATE, "note": "demo"}
        )
    partners = Partner.objects.filter(organisation__website__endswith=".example.com").select_related(
        "organisation"
    )
    existing = set(ConnectAccount.objects.values_list("partner_id", flat=True))
    ConnectAccount.objects.bulk_create(
        [
            ConnectAccount(
                partner=p,
                stripe_account_id=f"{PREFIX}acct_{p.organisation.slug}"[:64],
                payouts_enabled=True,
                details_submitted=True,
            )
            for p in partners
            if p.pk not in existing
        ]
    )
    return {
        "commission rules": commission_service.CommissionRule.objects.count(),
        "Connect accounts": len(partners),
    }


def _paid_plan(plans: list[ListingPlan]) -> ListingPlan | None:
    for plan in plans:
        if plan.pricing_model in PAID_PRICING and (plan.price_cny or plan.price_usd):
            return plan
    return None


def _interval(plan: ListingPlan) -> str:
    if plan.pricing_model == PricingModel.FLAT_ANNUAL:
        return Interval.YEAR
    if plan.pricing_model == PricingModel.ONE_TIME:
        return Interval.ONCE
    return Interval.MONTH


class _Prices:
    """One demo ``PlanPrice`` per plan × currency × interval (reused when the seed runs again)."""

    def __init__(self):
        self.cache = {}

    def get(self, plan: ListingPlan, currency: str, interval: str) -> PlanPrice:
        key = (plan.pk, currency, interval)
        if key not in self.cache:
            amount = plan.price_cny if currency == Currency.CNY else plan.price_usd
            # History only: the demo's prices are inactive, so a real checkout in `make run` creates
            # (and syncs to localstripe) a price of its own instead of using a fake Stripe id.
            stripe_price_id = f"{PREFIX}price_{plan.pk}_{currency.lower()}_{interval}"
            price = PlanPrice.objects.filter(stripe_price_id=stripe_price_id).first()
            if price is None:
                price = PlanPrice.objects.create(
                    listing_id=plan.listing_id,
                    listing_plan=plan,
                    currency=currency,
                    unit_amount=amount,
                    interval=interval,
                    usage_type=UsageType.METERED
                    if plan.pricing_model == PricingModel.USAGE
                    else UsageType.LICENSED,
                    per_seat=plan.pricing_model == PricingModel.PER_SEAT,
                    stripe_price_id=stripe_price_id,
                    active=False,
                )
            self.cache[key] = price
        return self.cache[key]


def seed_history(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.rng("billing.history")
    live = ListingPage.objects.live().filter(partner__organisation__website__endswith=".example.com")
    listings = {page.pk: page for page in live.only("pk", "partner_id", "title", "title_en")}
    plans: dict[int, list[ListingPlan]] = defaultdict(list)
    for plan in ListingPlan.objects.filter(listing_id__in=listings).order_by(
        "listing_id", "sort_order", "pk"
    ):
        plans[plan.listing_id].append(plan)
    _flagship_usages(ctx, listings, plans)
    # Pairs someone already tried or bought (e.g. while trying the site) are left alone.
    taken = set(Trial.objects.values_list("organisation_id", "listing_id"))
    taken |= set(Subscription.objects.values_list("organisation_id", "listing_id"))
    usages = [
        usage
        for usage in ListingUsage.objects.filter(
            listing_id__in=listings, organisation__website__endswith=".example.com"
        ).order_by("listing_id", "organisation_id", "started_on", "pk")
        if (usage.organisation_id, usage.listing_id) not in taken
    ]
    prices = _Prices()
    trials: list[Trial] = []
    subs: list[tuple[Subscription, ListingUsage]] = []
    n = 0
    for usage in usages:
        n += 1
        listing = listings[usage.listing_id]
        plan = _paid_plan(plans[usage.listing_id])
        started = _at(usage.started_on)
        if usage.kind == UsageKind.TRIAL or plan is None:
            length = rng.choice((14, 30))
            ends = started + timedelta(days=length)
            expired = ends.date() <= DEMO_TODAY
            trials.append(
                Trial(
                    organisation_id=usage.organisation_id,
                    listing_id=listing.pk,
                    listing_plan=plans[usage.listing_id][0] if plans[usage.listing_id] else None,
                    status=Trial.Status.EXPIRED if expired else Trial.Status.ACTIVE,
                    started_at=started,
                    ends_at=ends,
                    ended_at=ends if expired else None,
                )
            )
            continue
        if plan.price_cny and plan.price_usd:
            currency = Currency.USD if rng.random() < 0.2 else Currency.CNY
        else:
            currency = Currency.CNY if plan.price_cny else Currency.USD
        interval = _interval(plan)
        price = prices.get(plan, currency, interval)
        quantity = rng.randint(3, 25) if plan.pricing_model == PricingModel.PER_SEAT else 1
        ended = usage.ended_on is not None and usage.ended_on <= DEMO_TODAY
        if interval == Interval.ONCE:
            status = Subscription.Status.COMPLETED
        else:
            status = Subscription.Status.CANCELED if ended else Subscription.Status.ACTIVE
        sub = Subscription(
            organisation_id=usage.organisation_id,
            listing_id=listing.pk,
            listing_plan=plan,
            price=price,
            plan_name=plan.name,
            plan_name_en=plan.name_en,
            currency=currency,
            unit_amount=price.unit_amount,
            interval=interval,
            quantity=quantity,
            status=status,
            stripe_subscription_id=f"{PREFIX}sub_{n:05d}",
            idempotency_key=f"{PREFIX}sub-{n:05d}",
            current_period_start=started,
            canceled_at=_at(usage.ended_on) if ended and interval != Interval.ONCE else None,
        )
        subs.append((sub, usage))
    Subscription.objects.bulk_create([s for s, _u in subs])
    # Most subscriptions began as a trial that converted.
    for sub, _usage in subs:
        if rng.random() < 0.6:
            begun = sub.current_period_start - timedelta(days=14)
            trials.append(
                Trial(
                    organisation_id=sub.organisation_id,
                    listing_id=sub.listing_id,
                    listing_plan=sub.listing_plan,
                    status=Trial.Status.CONVERTED,
                    started_at=begun,
                    ends_at=sub.current_period_start,
                    ended_at=sub.current_period_start,
                    converted_to=sub,
                )
            )
    Trial.objects.bulk_create(trials)

    invoices, refunds = _invoices(rng, subs)
    Invoice.objects.bulk_create(invoices)
    _past_due(subs, invoices)

    # Periods and entitlements follow the invoices.
    last_invoice: dict[int, Invoice] = {}
    for invoice in invoices:
        last_invoice[invoice.subscription_id] = invoice
    entitlements = []
    usage_field = hasattr(Entitlement, "listing_usage_id") or "listing_usage" in {
        f.name for f in Entitlement._meta.get_fields()
    }
    for sub, usage in subs:
        latest = last_invoice.get(sub.pk)
        if latest is not None and latest.period_end:
            sub.current_period_start, sub.current_period_end = latest.period_start, latest.period_end
        if sub.status == Subscription.Status.CANCELED:
            ent_status, ends = Entitlement.Status.ENDED, sub.canceled_at
        elif sub.status == Subscription.Status.COMPLETED:
            ent_status, ends = Entitlement.Status.ACTIVE, None
        else:
            ent_status, ends = Entitlement.Status.ACTIVE, sub.current_period_end
        extra = {"listing_usage_id": usage.pk} if usage_field else {}
        entitlements.append(
            Entitlement(
                organisation_id=sub.organisation_id,
                listing_id=sub.listing_id,
                source=Entitlement.Source.PURCHASE
                if sub.interval == Interval.ONCE
                else Entitlement.Source.SUBSCRIPTION,
                subscription=sub,
                status=ent_status,
                seats=sub.quantity if sub.price.per_seat else None,
                starts_at=usage and _at(usage.started_on),
                ends_at=ends,
                ended_at=sub.canceled_at if ent_status == Entitlement.Status.ENDED else None,
                **extra,
            )
        )
    Subscription.objects.bulk_update(
        [s for s, _u in subs], ["current_period_start", "current_period_end", "status", "past_due_since"]
    )
    for trial in trials:
        if trial.status == Trial.Status.CONVERTED:
            continue
        entitlements.append(
            Entitlement(
                organisation_id=trial.organisation_id,
                listing_id=trial.listing_id,
                source=Entitlement.Source.TRIAL,
                trial=trial,
                status=Entitlement.Status.ENDED
                if trial.status == Trial.Status.EXPIRED
                else Entitlement.Status.ACTIVE,
                starts_at=trial.started_at,
                ends_at=trial.ends_at,
                ended_at=trial.ended_at,
            )
        )
    Entitlement.objects.bulk_create(entitlements)

    entries = _ledger(invoices, refunds)
    # Billing keeps the listing's live-subscription count (the catalogue seeded it from usages).
    from billing.services.entitlements import refresh_listing_figures

    for listing_id in sorted({s.listing_id for s, _u in subs}):
        refresh_listing_figures(listing_id)
    return {
        "trials": len(trials),
        "subscriptions": len(subs),
        "invoices": len(invoices),
        "refunds": len(refunds),
        "ledger entries": entries,
    }


def _flagship_usages(ctx: SeedContext, listings: dict, plans: dict) -> None:
    """The demo partner login's company sells to more customers, spread over the 24 months,
    so its console shows a real ledger, statements and payouts."""
    flagship = ctx.registry.get("partners.flagship")
    customers = [c["id"] for c in ctx.registry.get("accounts.customers", [])]
    if not flagship or not customers:
        return
    rng = ctx.rng("billing.flagship")
    rows = []
    for page in sorted((p for p in listings.values() if p.partner_id == flagship), key=lambda p: p.pk):
        if _paid_plan(plans[page.pk]) is None:
            continue
        used = set(ListingUsage.objects.filter(listing=page).values_list("organisation_id", flat=True))
        for n, org in enumerate(o for o in customers if o not in used):
            if n >= 8:
                break
            started = FIRST_MONTH + timedelta(days=rng.randint(0, (DEMO_TODAY - FIRST_MONTH).days - 1))
            rows.append(
                ListingUsage(
                    listing=page, organisation_id=org, kind=UsageKind.SUBSCRIPTION, started_on=started
                )
            )
    ListingUsage.objects.bulk_create(rows)


def _invoices(rng, subs) -> tuple[list[Invoice], list[tuple[Invoice, Decimal, datetime]]]:
    invoices: list[Invoice] = []
    refunds: list[tuple[Invoice, Decimal, datetime]] = []
    partner_of = dict(
        ListingPage.objects.filter(pk__in={s.listing_id for s, _u in subs}).values_list("pk", "partner_id")
    )
    n = 0
    for sub, usage in subs:
        step = {Interval.MONTH: 1, Interval.YEAR: 12}.get(sub.interval)
        day = usage.started_on
        stop = min(usage.ended_on or DEMO_TODAY, DEMO_TODAY)
        # Only the last 24 months are billed in the demo (earlier periods are not shown).
        while step and _add_months(day, step) <= FIRST_MONTH:
            day = _add_months(day, step)
        while day <= stop:
            n += 1
            period_end = _add_months(day, step) if step else day
            quantity = sub.quantity
            if sub.price.usage_type == UsageType.METERED:
                quantity = rng.randint(2, 40)
            total = quantize(sub.unit_amount * quantity, sub.currency)
            paid = _at(day, 10) + timedelta(minutes=rng.randint(0, 600))
            failed = paid - timedelta(days=3) if rng.random() < 0.04 else None
            invoice = Invoice(
                number=f"{NUMBER_PREFIX}{n:06d}",
                organisation_id=sub.organisation_id,
                listing_id=sub.listing_id,
                partner_id=partner_of.get(sub.listing_id),
                plan_id=sub.listing_plan_id,
                subscription=sub,
                currency=sub.currency,
                subtotal=total,
                tax=Decimal("0.00"),
                total=total,
                status=Invoice.Status.PAID,
                stripe_invoice_id=f"{PREFIX}in_{n:06d}",
                stripe_charge_id=f"{PREFIX}ch_{n:06d}",
                billing_reason="subscription_create" if day == usage.started_on else "subscription_cycle",
                period_start=_at(day, 0) if step else None,
                period_end=_at(period_end, 0) if step else None,
                issued_at=failed or paid,
                paid_at=paid,
                failed_at=failed,
                attempt_count=2 if failed else 1,
            )
            invoices.append(invoice)
            if rng.random() < 0.03 and paid.date() + timedelta(days=7) <= DEMO_TODAY:
                amount = quantize(total / 2, sub.currency)
                invoice.amount_refunded = amount
                invoice.status = Invoice.Status.PARTIALLY_REFUNDED
                refunds.append((invoice, amount, paid + timedelta(days=6)))
            if not step:
                break
            day = period_end
    return invoices, refunds


def _past_due(subs, invoices: list[Invoice]) -> None:
    """The latest invoice of one active monthly subscription failed: the subscription is past due."""
    latest: dict[int, Invoice] = {}
    for invoice in invoices:
        latest[invoice.subscription_id] = invoice
    for sub, _usage in subs:
        invoice = latest.get(sub.pk)
        if (
            sub.status == Subscription.Status.ACTIVE
            and sub.interval == Interval.MONTH
            and invoice is not None
        ):
            if invoice.paid_at.date() < DEMO_TODAY - timedelta(days=20) or invoice.amount_refunded:
                continue
            Invoice.objects.filter(pk=invoice.pk).update(
                status=Invoice.Status.OPEN, paid_at=None, failed_at=invoice.paid_at, attempt_count=2
            )
            invoice.status, invoice.failed_at, invoice.paid_at = Invoice.Status.OPEN, invoice.paid_at, None
            sub.status = Subscription.Status.PAST_DUE
            sub.past_due_since = invoice.failed_at
            return


def _ledger(invoices: list[Invoice], refunds) -> int:
    partners = Partner.objects.filter(pk__in={i.partner_id for i in invoices if i.partner_id})
    rates = commission_service.rate_table(partners)
    entries: list[LedgerEntry] = []
    for invoice in invoices:
        if invoice.paid_at is None or invoice.partner_id is None:
            continue
        entries += ledger_service.paid_entries(invoice, rate=rates[invoice.partner_id], when=invoice.paid_at)
    for invoice, amount, when in refunds:
        entries += ledger_service.refund_entries(
            invoice,
            amount=amount,
            currency=invoice.currency,
            rate=rates[invoice.partner_id],
            reference=f"{PREFIX}re_{invoice.number}",
            when=when,
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def seed_statements() -> dict[str, int]:
    """Statements month by month; every month but the last is paid out (demo transfers)."""
    made = 0
    month = FIRST_MONTH
    while month <= LAST_MONTH:
        ids = payout_service.generate_month(month)
        made += len(ids)
        PayoutStatement.objects.filter(pk__in=ids).update(issued_at=_at(payout_service.next_month(month), 2))
        month = payout_service.next_month(month)
    paid = 0
    payouts, entries = [], []
    due = PayoutStatement.objects.filter(
        status=PayoutStatement.Status.OPEN, month__lt=LAST_MONTH
    ).select_related("partner__connect_account")
    for statement in due:
        when = _at(payout_service.next_month(statement.month) + timedelta(days=4), 11)
        transfer = f"{PREFIX}tr_{statement.number}"
        account = getattr(statement.partner, "connect_account", None)
        payouts.append(
            Payout(
                partner_id=statement.partner_id,
                statement=statement,
                amount=statement.net,
                currency=statement.currency,
                status=Payout.Status.PAID,
                destination=account.stripe_account_id if account else "",
                stripe_transfer_id=transfer,
                paid_at=when,
            )
        )
    Payout.objects.bulk_create(payouts)
    for payout in payouts:
        entries.append(
            LedgerEntry(
                partner_id=payout.partner_id,
                kind=LedgerKind.PAYOUT,
                amount=-payout.amount,
                currency=payout.currency,
                occurred_at=payout.paid_at,
                payout=payout,
                stripe_object_id=payout.stripe_transfer_id,
                description=payout.statement.number,
            )
        )
        paid += 1
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    PayoutStatement.objects.filter(pk__in=[p.statement_id for p in payouts]).update(
        status=PayoutStatement.Status.PAID
    )
    return {"statements": made, "payouts": paid}


def seed_fulfilment(ctx: SeedContext) -> dict[str, int]:
    """Fulfilment URLs (webhook endpoints subscribed to the entitlement events) for the partners
    with sales, and a log of entitlement events delivered to them for the flagship partner and a
    few others (written as rows: the demo sends nothing)."""
    rng = ctx.rng("billing.fulfilment")
    with_sales = (
        Partner.objects.filter(organisation__website__endswith=".example.com", ledger_entries__isnull=False)
        .distinct()
        .select_related("organisation")
    )
    existing = set(
        FulfilmentEndpoint.objects.filter(webhook_endpoint__isnull=False).values_list("partner_id", flat=True)
    )
    for p in with_sales:
        if p.pk not in existing:
            fulfilment_service.update_endpoint(
                p, url=f"https://fulfilment.{p.organisation.slug}.example.com/symbio"
            )
    webhook_of = dict(
        FulfilmentEndpoint.objects.filter(webhook_endpoint__isnull=False).values_list(
            "partner_id", "webhook_endpoint_id"
        )
    )
    flagship = ctx.registry.get("partners.flagship")
    partner_ids = [flagship] if flagship else []
    partner_ids += [p.pk for p in with_sales[:5] if p.pk != flagship]
    if Event.objects.filter(partner_id__in=partner_ids, type__startswith="entitlement.").exists():
        return {"endpoints": with_sales.count(), "deliveries": 0}
    deliveries = []
    events = ("created", "activated", "seats_changed", "suspended", "resumed", "ended")
    for ent in (
        Entitlement.objects.filter(listing__partner_id__in=partner_ids)
        .select_related("listing", "organisation", "subscription")
        .order_by("pk")[:60]
    ):
        event_type = f"entitlement.{events[rng.randrange(len(events))]}"
        ok = rng.random() < 0.85
        created = timezone.now() - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1000))
        event = Event.objects.create(
            partner_id=ent.listing.partner_id,
            type=event_type,
            payload=billing_events.entitlement_payload(ent),
            created_at=created,
        )
        endpoint_id = webhook_of.get(ent.listing.partner_id)
        if endpoint_id is None:
            continue
        deliveries.append(
            Delivery(
                event=event,
                endpoint_id=endpoint_id,
                status=Delivery.Status.SUCCEEDED if ok else Delivery.Status.FAILED,
                attempts=1 if ok else 9,
                response_status=200 if ok else 503,
                last_error="" if ok else "HTTP 503",
                last_attempt_at=created,
            )
        )
    Delivery.objects.bulk_create(deliveries)
    return {"endpoints": with_sales.count(), "deliveries": len(deliveries)}
