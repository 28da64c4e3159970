"""At-risk detection: both causes, idempotent flags, programme managers emailed once in their
language, the admin report and acknowledgement (audit-logged)."""

import random
from decimal import Decimal

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from health.models import AtRiskFlag, HealthSettings
from health.services import at_risk, scoring_sql
from health.services import snapshots as health
from partners.models import PartnerKind
from tests.factories.accounts import UserFactory
from tests.factories.health import fact, month, only_metrics, pm_user, set_health
from tests.factories.partners import PartnerFactory

pytestmark = pytest.mark.django_db

MAY, JUNE = month("2026-05"), month("2026-06")


@pytest.fixture
def falling(isvs):
    """p1 climbs from last to first, p3 falls from first to last (100 → 0), p2 stays at 50."""
    only_metrics(
        {
            "slug": "rev",
            "metric": "revenue",
            "dimension": "productivity",
            "aggregation": "sum",
            "window_months": 1,
        }
    )
    p1, p2, p3 = isvs
    for partner, may, june in ((p1, 100, 300), (p2, 200, 200), (p3, 300, 100)):
        fact(partner, "revenue", "2026-05", may)
        fact(partner, "revenue", "2026-06", june)
    return isvs


def test_drop_and_floor_are_flagged_with_their_cause(falling):
    p1, p2, p3 = falling
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    flags = {(f.partner_id, f.month, f.cause) for f in AtRiskFlag.objects.all()}
    assert flags == {
        (p1.pk, MAY, AtRiskFlag.Cause.FLOOR),  # 0 < 40, no previous month to drop from
        (p3.pk, JUNE, AtRiskFlag.Cause.FLOOR),
        (p3.pk, JUNE, AtRiskFlag.Cause.DROP),  # 100 → 0
    }
    drop = AtRiskFlag.objects.get(partner=p3, cause=AtRiskFlag.Cause.DROP)
    assert (drop.composite, drop.previous_composite) == (Decimal("0"), Decimal("100"))
    assert drop.cause_detail["dimension"] == "productivity"
    assert drop.cause_detail["metrics"] == ["rev"]
    assert drop.cause_detail["dimensions"]["productivity"]["change"] == "-100"


def test_thresholds_come_from_the_settings(falling):
    p1, p2, p3 = falling
    set_health(at_risk_floor=0, at_risk_drop_points=100)  # nothing is below 0 or drops more than 100
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    assert not AtRiskFlag.objects.exists()
    set_health(at_risk_floor=60, at_risk_drop_points=100)
    health.compute_snapshots(first=JUNE, notify=False)
    assert set(AtRiskFlag.objects.values_list("partner_id", "cause")) == {
        (p2.pk, "floor"),
        (p3.pk, "floor"),
    }


def test_programme_managers_are_emailed_once_in_their_language(falling, django_capture_on_commit_callbacks):
    p1, p2, p3 = falling
    english = pm_user("en", email="pm-en@example.com")
    chinese = pm_user("zh-hans", email="pm-zh@example.com")
    UserFactory(email="not-a-pm@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        health.compute_snapshots(first=MAY, last=JUNE)
    assert sorted(m.to[0] for m in mail.outbox) == [english.email, chinese.email]
    to_en = next(m for m in mail.outbox if m.to == [english.email])
    # only June (latest month) flags; the subject prefix is core.emails.send_templated's, as in every e-mail
    assert to_en.subject == "[Symbio Marketplace] Health alert: 1 partner at risk"  # the site's brand
    assert p3.organisation.name_en in to_en.body and "fell from 100.0 to 0.0" in to_en.body
    assert "/admin/health_model/" in to_en.body
    assert p1.organisation.name_en not in to_en.body  # May's flag is history, not news
    assert AtRiskFlag.objects.filter(month=JUNE, notified_at__isnull=False).count() == 2

    # Recomputing finds the same flags: no new rows, no second email.
    with django_capture_on_commit_callbacks(execute=True):
        health.compute_snapshots(first=MAY, last=JUNE)
    assert len(mail.outbox) == 2
    assert AtRiskFlag.objects.count() == 3


def test_at_risk_email_links_to_the_report_with_an_absolute_url(
    falling, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://partners.symbio.example"
    pm_user("en", email="pm-en@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        health.compute_snapshots(first=MAY, last=JUNE)
    (message,) = mail.outbox
    link_line = next(line for line in message.body.splitlines() if line.startswith("See the at-risk report:"))
    assert link_line == "See the at-risk report: https://partners.symbio.example/admin/health_model/"


def test_at_risk_report_lists_flags_and_acknowledging_is_logged(falling, client):
    p1, p2, p3 = falling
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    admin = pm_user("en", is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get("/admin/health_model/?month=2026-06").content.decode()
    assert p3.organisation.name_en in html and "Sharp drop" in html and "Below the floor" in html
    assert p1.organisation.name_en not in html  # May's flag: another month

    flag = AtRiskFlag.objects.get(partner=p3, cause="drop")
    response = client.post(f"/admin/health_model/flags/{flag.pk}/acknowledge/", {"note": "已联系伙伴"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.acknowledged_by == admin and flag.acknowledged_at is not None
    entry = ModelLogEntry.objects.get(action="partners.at_risk_acknowledged")
    assert entry.user == admin and entry.data["reason"] == "已联系伙伴"


def test_staff_without_the_permission_cannot_see_the_report(falling, client):
    health.compute_snapshots(first=MAY, last=JUNE, notify=False)
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/admin/health_model/")
    assert response.status_code in (302, 403)


@pytest.fixture
def many(db):
    """Eight ISVs, four metrics over four months of seeded random facts (with repeated values, so
    scores tie): enough drops and floors for every branch of the detail."""

    def spec(slug, metric, dimension, aggregation="sum", window=1, **more):
        return {"slug": slug, "metric": metric, "dimension": dimension, "aggregation": aggregation,
                "window_months": window, **more}  # fmt: skip

    only_metrics(
        spec("rev", "revenue", "productivity"),
        spec("new", "new_customers", "productivity"),
        spec("churn", "churned_customers", "robustness", direction="lower"),
        spec("rating", "avg_rating", "innovation", aggregation="latest", window=2),
    )
    rng = random.Random(17)
    partners = [PartnerFactory(kind=PartnerKind.ISV, joined_on=None) for _ in range(8)]
    for partner in partners:
        for when in ("2026-03", "2026-04", "2026-05", "2026-06"):
            for slug in ("revenue", "new_customers", "churned_customers"):
                fact(partner, slug, when, rng.choice((0, 1, 2, 5, 5, 8, 13)))
            if rng.random() < 0.7:  # some months without a rating: "latest" carries it forward
                fact(partner, "avg_rating", when, rng.choice(("3.5", "4.0", "4.5")))
    set_health(at_risk_floor=45, at_risk_drop_points=10)
    return partners


def flags_by_key():
    return {
        (f.partner_id, f.month, f.cause): (f.composite, f.previous_composite, f.cause_detail)
        for f in AtRiskFlag.objects.all()
    }


def test_flags_are_rebuilt_identically_idempotently_and_only_for_the_partners_asked(many):
    """The flags' detail built again from the same snapshots is the same, key for key; a second
    run adds nothing; a run for one partner flags only that partner."""
    months = [month(m) for m in ("2026-03", "2026-04", "2026-05", "2026-06")]
    health.compute_snapshots(first=months[0], last=months[-1], notify=False)
    first_run = flags_by_key()
    AtRiskFlag.objects.all().delete()
    assert at_risk.flag_in_python(months, None, HealthSettings.load()) == len(first_run)
    assert flags_by_key() == first_run

    causes = {cause for _p, _m, cause in first_run}
    details = [detail for _c, _p, detail in first_run.values()]
    assert causes == {"drop", "floor"} and len(first_run) >= 10
    assert any(len(d["metrics"]) == 3 for d in details)  # the weakest three …
    assert any(0 < len(d["metrics"]) < 3 for d in details)  # … or the few that dropped
    assert any(d["dimensions"]["innovation"]["previous"] is None for d in details)  # first month

    # Idempotent, and limited to the partners asked for, in both paths.
    assert at_risk.flag_in_python(months, None, HealthSettings.load()) == 0
    one = many[0].pk
    mine = {key: value for key, value in first_run.items() if key[0] == one}
    AtRiskFlag.objects.all().delete()
    assert at_risk.flag_in_python(months, {one}, HealthSettings.load()) == len(mine)
    assert flags_by_key() == mine


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flags_found_on_two_connections_are_those_of_one(many, settings):
    """Outside a transaction the two halves of the months are flagged side by side, each on its
    own connection (the second half's first month looks back into the first half): same flags,
    detail for detail, as one connection's."""
    months = [month(m) for m in ("2026-03", "2026-04", "2026-05", "2026-06")]
    settings.HEALTH_SQL_WORKERS = 1
    health.compute_snapshots(first=months[0], last=months[-1], notify=False)
    one = flags_by_key()
    AtRiskFlag.objects.all().delete()

    settings.HEALTH_SQL_WORKERS = 2
    assert scoring_sql.sql_workers(months) == 2
    assert at_risk.detect_at_risk(months=months, notify=False) == len(one)
    assert flags_by_key() == one
    assert {m for _p, m, _c in one} >= {months[1], months[2]} and len(one) >= 10
