"""Write side of the tier programme: evaluation, staff decisions, demotions, tier history.

Evaluation reads only facts (``PartnerFact``), set-based: a handful of queries for all
partners (ladders, partners, one aggregate over the facts, a few bulk writes), then the tier
arithmetic in memory. Rules:

* A partner qualifies for a tier when it meets every criterion of that tier **and of every
  lower tier**. A tier without criteria (usually the entry tier) is met by everyone.
* A criterion whose metric has no fact in the window is **not evaluated and counts as
  unmet** (evidence status ``missing``). So a health-score criterion blocks its tier until a
  health app reports ``health_score`` facts; kinds without a metric simply have no criterion
  on it.
* Each run supersedes a partner's older pending recommendations and keeps only its latest
  "hold" record. Promotions wait for staff approval and then apply at once; approved
  demotions wait ``ProgrammeSettings.demotion_grace_days`` (owners are warned by email) and
  are cancelled if a later evaluation finds the partner meets its tier again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail.log_actions import log

from accounts.models import Membership, Role
from core.emails import absolute_url, brand_name, subject_prefix
from core.tasks import enqueue_on_commit
from partners.models import EvaluationRun, Partner, ProgrammeSettings, Tier, TierChange, TierRecommendation
from partners.programme_signals import partner_tier_changed
from partners.selectors.programme import (
    aggregate_facts,
    assess_ladder,
    default_as_of,
    describe_evidence,
    ladders,
    month_start,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
LOG_TIER_APPROVED = "partners.tier_approved"  # audit log actions (health/admin_views/hooks.py)
LOG_TIER_OVERRIDDEN = "partners.tier_overridden"
NOT_PENDING = _("This recommendation was already decided or superseded.")
STALE = _("The partner's tier changed since this recommendation; run the evaluation again.")
OVERRIDE_REASON_REQUIRED = _("Give a reason for overriding the recommendation.")
WRONG_KIND = _("Choose a tier of the partner's own kind.")
RECOVERED = gettext_noop(
    "Recovered before the grace period ended: a later evaluation found the tier's criteria met."
)
SUPERSEDED_BY_CHANGE = gettext_noop("The partner's tier changed before the demotion took effect.")

Action, RecStatus = TierRecommendation.Action, TierRecommendation.Status


@dataclass
class EvaluationSummary:
    as_of: date
    evaluated: int = 0
    promote: int = 0
    demote: int = 0
    hold: int = 0
    recovered: int = 0
    queries_note: str = ""

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "evaluated": self.evaluated,
            "promote": self.promote,
            "demote": self.demote,
            "hold": self.hold,
            "recovered": self.recovered,
        }


def _rank(tier_id: int | None, tiers_by_id: dict[int, Tier], kind: str) -> int:
    tier = tiers_by_id.get(tier_id) if tier_id else None
    return tier.rank if tier is not None and tier.kind == kind else -1


def evaluate_tiers(
    *, as_of: date | None = None, partners=None, run: EvaluationRun | None = None
) -> EvaluationSummary:
    """Evaluate every active partner (or the ``partners`` queryset) and write recommendations.

    The number of queries does not depend on the number of partners (apart from one insert
    per 1,000 recommendations).
    """
    as_of = month_start(as_of or default_as_of())
    summary = EvaluationSummary(as_of=as_of)
    all_ladders = ladders()
    tiers_by_id = {t.pk: t for ladder in all_ladders.values() for t in ladder.tiers}
    scope = Partner.objects.filter(status=Partner.Status.ACTIVE, kind__in=list(all_ladders))
    if partners is not None:
        scope = scope.filter(pk__in=partners.values("pk"))
    rows = list(scope.order_by("pk").values_list("pk", "kind", "tier_id"))
    summary.evaluated = len(rows)
    if run is not None:
        run.as_of, run.total, run.status = as_of, len(rows), EvaluationRun.Status.RUNNING
        run.save(update_fields=["as_of", "total", "status"])
    metric_ids = set().union(*(ladder.metric_ids() for ladder in all_ladders.values()))
    aggregates = aggregate_facts(metric_ids=metric_ids, as_of=as_of, partners=scope)

    waiting = dict(
        TierRecommendation.objects.filter(
            partner_id__in=scope.values("pk"),
            action=Action.DEMOTE,
            status=RecStatus.APPROVED,
            applied_at=None,
        ).values_list("partner_id", "pk")
    )

    recs: list[TierRecommendation] = []
    recovered_ids: list[int] = []
    for pid, kind, tier_id in rows:
        ladder = all_ladders[kind]
        result = assess_ladder(ladder, pid, aggregates)
        current_rank = _rank(tier_id, tiers_by_id, kind)
        new_rank = result.qualified.rank if result.qualified else -1
        if new_rank > current_rank:
            action, status = Action.PROMOTE, RecStatus.PENDING
            summary.promote += 1
        elif new_rank < current_rank:
            action = Action.DEMOTE
            # An approved demotion is already waiting: record the evidence, don't ask again.
            status = RecStatus.RECORDED if pid in waiting else RecStatus.PENDING
            summary.demote += 1
        else:
            action, status = Action.HOLD, RecStatus.RECORDED
            summary.hold += 1
        if action != Action.DEMOTE and pid in waiting:
            recovered_ids.append(waiting[pid])
        recs.append(
            TierRecommendation(
                partner_id=pid,
                run=run,
                as_of=as_of,
                current_tier_id=tier_id,
                recommended_tier=result.qualified,
                action=action,
                status=status,
                evidence=result.evidence(),
            )
        )
    summary.recovered = len(recovered_ids)

    with transaction.atomic():
        stale = TierRecommendation.objects.filter(partner_id__in=scope.values("pk"))
        _delete_in_one_query(stale.filter(status=RecStatus.RECORDED, changes__isnull=True))
        stale.filter(status=RecStatus.PENDING).update(status=RecStatus.SUPERSEDED)
        if recovered_ids:
            TierRecommendation.objects.filter(pk__in=recovered_ids).update(
                status=RecStatus.SUPERSEDED, reason=RECOVERED
            )
        for start in range(0, len(recs), BATCH_SIZE):
            TierRecommendation.objects.bulk_create(recs[start : start + BATCH_SIZE])
            if run is not None:
                run.processed = min(len(recs), start + BATCH_SIZE)
                EvaluationRun.objects.filter(pk=run.pk).update(processed=run.processed)
    if run is not None:
        run.status, run.finished_at = EvaluationRun.Status.DONE, timezone.now()
        run.processed, run.summary = len(recs), summary.as_dict()
        run.save(update_fields=["status", "finished_at", "processed", "summary"])
    logger.info("Tier evaluation for %s: %s", as_of, summary.as_dict())
    return summary


def _delete_in_one_query(queryset) -> None:
    """``DELETE … WHERE id IN (subquery)``: one statement whatever the row count (Django's
    ``QuerySet.delete()`` collects rows and deletes them 100 ids at a time)."""
    model = queryset.model
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE "
            f"{connection.ops.quote_name(model._meta.pk.column)} IN (SELECT * FROM ({sql}) AS doomed)",
            params,
        )


def start_evaluation_run(*, user=None, as_of: date | None = None) -> EvaluationRun:
    """Create a run and enqueue it once the transaction commits; the caller shows its progress."""
    run = EvaluationRun.objects.create(started_by=user, as_of=as_of)
    enqueue_on_commit("partners.run_tier_evaluation", run.pk)
    return run


def run_evaluation(*, run_id: int) -> EvaluationRun:
    run = EvaluationRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    try:
        evaluate_tiers(as_of=run.as_of, run=run)
    except Exception as exc:
        EvaluationRun.objects.filter(pk=run.pk).update(
            status=EvaluationRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:255]
        )
        raise
    return run


# --- tier changes ------------------------------------------------------------------------------
def change_tier(
    *, partner: Partner, to_tier: Tier | None, reason: str, changed_by=None, recommendation=None
) -> TierChange:
    """Set the partner's tier, write the history row and announce it after commit."""
    from_tier = partner.tier
    partner.tier = to_tier
    partner.save(update_fields=["tier", "updated_at"])
    change = TierChange.objects.create(
        partner=partner,
        from_tier=from_tier,
        to_tier=to_tier,
        reason=reason,
        recommendation=recommendation,
        changed_by=changed_by,
    )
    transaction.on_commit(
        lambda: partner_tier_changed.send(
            sender=Partner, partner=partner, from_tier=from_tier, to_tier=to_tier, change=change
        )
    )
    change_id = change.pk
    enqueue_on_commit("partners.send_tier_change_email", change_id)
    return change


def send_tier_change_email(*, change_id: int) -> int:
    """Tell the partner's owners their tier changed (both languages, absolute console link)."""
    change = TierChange.objects.select_related("partner__organisation", "from_tier", "to_tier").get(
        pk=change_id
    )
    recipients = owner_emails([change.partner_id]).get(change.partner_id, [])
    if not recipients:
        return 0
    from_rank = change.from_tier.rank if change.from_tier else -1
    to_rank = change.to_tier.rank if change.to_tier else -1
    subject, body = render_bilingual(
        "partners/programme/emails/tier_changed",
        {
            "change": change,
            "partner": change.partner,
            "promoted": to_rank > from_rank,
            "console_url": _console_url(),
            "brand": brand_name(),
        },
    )
    return send_mail(subject_prefix() + subject, body, None, recipients)


def console_url() -> str:
    """The partner console, absolute on the site address (for e-mails)."""
    return _console_url()


def _console_url() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute_url(reverse("partners:console"))


def _locked(recommendation: TierRecommendation) -> TierRecommendation:
    rec = (
        TierRecommendation.objects.select_for_update(of=("self",))
        .select_related("partner__organisation", "recommended_tier", "current_tier")
        .get(pk=recommendation.pk)
    )
    if rec.status != RecStatus.PENDING:
        raise ValidationError(NOT_PENDING)
    return rec


@transaction.atomic
def approve_recommendation(
    *, recommendation: TierRecommendation, user, today: date | None = None
) -> TierRecommendation:
    rec = _locked(recommendation)
    partner = Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=rec.partner_id)
    if partner.tier_id != rec.current_tier_id:
        raise ValidationError(STALE)
    now = timezone.now()
    rec.status, rec.decided_by, rec.decided_at = RecStatus.APPROVED, user, now
    if rec.action == Action.DEMOTE:
        grace = ProgrammeSettings.load().demotion_grace_days
        rec.effective_on = (today or timezone.localdate()) + timedelta(days=grace)
        if grace == 0:
            change_tier(
                partner=partner, to_tier=rec.recommended_tier, reason="", changed_by=user, recommendation=rec
            )
            rec.applied_at = now
        else:
            enqueue_on_commit("partners.send_demotion_warning", rec.pk)
    elif rec.action == Action.PROMOTE:
        change_tier(
            partner=partner, to_tier=rec.recommended_tier, reason="", changed_by=user, recommendation=rec
        )
        rec.applied_at = now
    rec.save()
    _log_decision(rec, LOG_TIER_APPROVED, user)
    return rec


def _log_decision(rec: TierRecommendation, action: str, user) -> None:
    tier = rec.override_tier if action == LOG_TIER_OVERRIDDEN else rec.recommended_tier
    log(
        instance=rec.partner,
        action=action,
        user=user,
        data={
            "recommendation": rec.pk,
            "recommended_action": rec.action,
            "from_tier": str(rec.current_tier) if rec.current_tier else "",
            "to_tier": str(tier) if tier else "",
            "effective_on": rec.effective_on.isoformat() if rec.effective_on else None,
            "reason": rec.reason,
        },
    )


@transaction.atomic
def override_recommendation(
    *, recommendation: TierRecommendation, user, tier: Tier | None, reason: str
) -> TierRecommendation:
    """Staff set another tier than recommended (or keep the current one); takes effect at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": OVERRIDE_REASON_REQUIRED})
    rec = _locked(recommendation)
    partner = Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=rec.partner_id)
    if tier is not None and tier.kind != partner.kind:
        raise ValidationError({"tier": WRONG_KIND})
    now = timezone.now()
    rec.status, rec.decided_by, rec.decided_at = RecStatus.OVERRIDDEN, user, now
    rec.reason, rec.override_tier = reason, tier
    if (tier.pk if tier else None) != partner.tier_id:
        change_tier(partner=partner, to_tier=tier, reason=reason, changed_by=user, recommendation=rec)
        rec.applied_at = now
    rec.save()
    _log_decision(rec, LOG_TIER_OVERRIDDEN, user)
    return rec


def apply_due_demotions(*, today: date | None = None) -> int:
    """Apply approved demotions whose grace period has ended; returns how many were applied."""
    today = today or timezone.localdate()
    due = TierRecommendation.objects.filter(
        action=Action.DEMOTE, status=RecStatus.APPROVED, applied_at=None, effective_on__lte=today
    ).values_list("pk", flat=True)
    applied = 0
    for rec_id in list(due):
        with transaction.atomic():
            rec = (
                TierRecommendation.objects.select_for_update(of=("self",))
                .select_related("recommended_tier", "decided_by")
                .get(pk=rec_id)
            )
            if rec.applied_at is not None or rec.status != RecStatus.APPROVED:
                continue
            partner = (
                Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=rec.partner_id)
            )
            if partner.tier_id != rec.current_tier_id:
                rec.status, rec.reason = RecStatus.SUPERSEDED, SUPERSEDED_BY_CHANGE
                rec.save(update_fields=["status", "reason"])
                continue
            change_tier(
                partner=partner,
                to_tier=rec.recommended_tier,
                reason=rec.reason,
                changed_by=rec.decided_by,
                recommendation=rec,
            )
            rec.applied_at = timezone.now()
            rec.save(update_fields=["applied_at"])
            applied += 1
    return applied


# --- emails ------------------------------------------------------------------------------------
def owner_emails(partner_ids) -> dict[int, list[str]]:
    """Owners' addresses per partner, one query."""
    out: dict[int, list[str]] = {}
    rows = Membership.objects.filter(organisation__partner__in=partner_ids, role=Role.OWNER).values_list(
        "organisation__partner", "user__email"
    )
    for pid, email in rows:
        out.setdefault(pid, []).append(email)
    return out


def render_bilingual(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) in Simplified Chinese then English, from ``<template>_subject.txt`` /
    ``<template>.txt``: partners' owners read either language."""
    subjects, bodies = [], []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            subjects.append(render_to_string(f"{template}_subject.txt", context).strip())
            bodies.append(render_to_string(f"{template}.txt", context).strip())
    return " / ".join(dict.fromkeys(subjects)), "\n\n— — —\n\n".join(bodies) + "\n"


def send_demotion_warning_email(*, recommendation_id: int) -> int:
    rec = TierRecommendation.objects.select_related(
        "partner__organisation", "current_tier", "recommended_tier"
    ).get(pk=recommendation_id)
    recipients = owner_emails([rec.partner_id]).get(rec.partner_id, [])
    if not recipients or not rec.is_waiting_demotion:
        return 0
    subject, body = render_bilingual(
        "partners/programme/emails/demotion_warning",
        {
            "recommendation": rec,
            "partner": rec.partner,
            "failed": _failed(rec.evidence, rec.current_tier),
            "console_url": _console_url(),
        },
    )
    return send_mail(subject, body, None, recipients)


def _failed(evidence: list[dict], tier: Tier | None) -> list[dict]:
    rank = tier.rank if tier else -1
    failed = [e for e in evidence if e.get("rank", 99) <= rank and e.get("status") != "met"]
    return describe_evidence(failed)
