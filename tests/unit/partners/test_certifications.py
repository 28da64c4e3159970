"""Certified people: expiry, the certified-people fact, and reminders before expiry."""

from datetime import date

import pytest
from django.core import mail

from accounts.models import Role
from partners.models import CertificationReminder, PartnerFact, PartnerKind
from partners.services.certifications import report_certified_people, send_certification_reminders
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.factories.partners import PartnerFactory
from tests.factories.programme import CertificationFactory, CertifiedPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    partner = PartnerFactory(kind=PartnerKind.SERVICE)
    MembershipFactory(
        user=UserFactory(email="owner@svc.example.cn"), organisation=partner.organisation, role=Role.OWNER
    )
    MembershipFactory(
        user=UserFactory(email="admin@svc.example.cn"), organisation=partner.organisation, role=Role.ADMIN
    )
    return partner


def certified_people_fact(partner, month):
    fact = PartnerFact.objects.filter(partner=partner, metric__slug="certified_people", month=month).first()
    return None if fact is None else int(fact.value)


def test_expiry_is_computed_from_the_certification_validity(partner):
    cert = CertificationFactory(validity_months=24)
    person = CertifiedPersonFactory(
        partner=partner, certification=cert, issued_on=date(2024, 2, 29), email="A@X.CN"
    )
    assert person.expires_on == date(2026, 2, 28)
    assert person.email == "a@x.cn"


def test_an_expired_certification_stops_counting(partner):
    cert = CertificationFactory(validity_months=12)
    CertifiedPersonFactory(
        partner=partner, certification=cert, issued_on=date(2025, 3, 10)
    )  # expires 2026-03-10
    CertifiedPersonFactory(
        partner=partner, certification=cert, issued_on=date(2025, 9, 1)
    )  # expires 2026-09-01
    CertifiedPersonFactory(
        partner=partner, certification=cert, issued_on=date(2026, 4, 20)
    )  # issued in April

    report_certified_people(month=date(2026, 2, 1))
    report_certified_people(month=date(2026, 3, 1))
    report_certified_people(month=date(2026, 4, 1))
    report_certified_people(month=date(2026, 8, 1))
    report_certified_people(month=date(2026, 9, 1))

    assert certified_people_fact(partner, date(2026, 2, 1)) == 2
    assert certified_people_fact(partner, date(2026, 3, 1)) == 1  # expired on 10 March
    assert certified_people_fact(partner, date(2026, 4, 1)) == 2  # the April hire counts at month end
    assert certified_people_fact(partner, date(2026, 8, 1)) == 2
    assert certified_people_fact(partner, date(2026, 9, 1)) == 1  # expired on 1 September


def test_reminders_go_to_owners_once_per_person_and_expiry(partner):
    cert = CertificationFactory(validity_months=12, name_en="Implementation Consultant")
    soon = CertifiedPersonFactory(
        partner=partner, certification=cert, name="张伟", issued_on=date(2025, 10, 20)
    )  # expires 2026-10-20
    CertifiedPersonFactory(partner=partner, certification=cert, issued_on=date(2026, 1, 1))  # not due yet
    CertifiedPersonFactory(partner=partner, certification=cert, issued_on=date(2025, 9, 1))  # already expired
    today = date(2026, 10, 1)

    assert send_certification_reminders(today=today) == 1
    assert send_certification_reminders(today=today) == 0
    assert send_certification_reminders(today=date(2026, 10, 2)) == 0

    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["owner@svc.example.cn"]
    assert "张伟" in mail.outbox[0].body and "2026-10-20" in mail.outbox[0].body
    assert "Implementation Consultant" in mail.outbox[0].body  # bilingual: the English half
    reminder = CertificationReminder.objects.get()
    assert (reminder.person, reminder.expires_on) == (soon, date(2026, 10, 20))


def test_a_renewed_certification_gets_its_own_reminder(partner):
    cert = CertificationFactory(validity_months=12)
    person = CertifiedPersonFactory(partner=partner, certification=cert, issued_on=date(2025, 10, 20))
    send_certification_reminders(today=date(2026, 10, 1))

    person.issued_on, person.expires_on = date(2026, 10, 15), date(2027, 10, 15)
    person.save()

    assert send_certification_reminders(today=date(2027, 9, 20)) == 1
    assert CertificationReminder.objects.filter(person=person).count() == 2


def test_the_reminder_lead_time_is_a_setting(partner):
    CertifiedPersonFactory(
        partner=partner, certification=CertificationFactory(validity_months=12), issued_on=date(2025, 11, 20)
    )
    assert send_certification_reminders(today=date(2026, 10, 1)) == 0  # 50 days away
    assert send_certification_reminders(today=date(2026, 10, 1), within_days=60) == 1
