"""Who must enrol in two-factor (``accounts.mfa``): ``must_enrol`` runs a statement compiled
once per database, so its answer is checked against the rules it stands for, person by person."""

import pytest

from accounts.mfa import has_totp, mfa_required, must_enrol
from accounts.models import Organisation, Role
from tests.factories.accounts import MembershipFactory, OrganisationFactory, UserFactory, staff_member
from tests.factories.partners import provisioned_partner
from tests.unit.accounts.helpers import enrol_totp

pytestmark = pytest.mark.django_db


def _people():
    customer_owner = UserFactory()
    MembershipFactory(user=customer_owner, organisation=OrganisationFactory(), role=Role.OWNER)
    member = UserFactory()
    partner = provisioned_partner(members=[member])
    partner_owner = partner.organisation.memberships.get(role=Role.OWNER).user  # enrolled
    unenrolled_admin = UserFactory()
    MembershipFactory(user=unenrolled_admin, organisation=partner.organisation, role=Role.ADMIN)
    assert partner.organisation.kind == Organisation.Kind.PARTNER
    superuser = UserFactory(is_superuser=True, is_staff=True)
    enrolled_superuser = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(enrolled_superuser)
    return {
        "customer owner": (customer_owner, False),
        "partner member": (member, False),
        "partner owner with an authenticator": (partner_owner, False),
        "partner admin without one": (unenrolled_admin, True),
        "superuser without one": (superuser, True),
        "superuser with one": (enrolled_superuser, False),
        "reviewer without one": (staff_member("reviewer", two_factor=False), True),
        "finance with one": (staff_member("finance"), False),
    }


def test_must_enrol_answers_what_the_rules_say_for_each_person():
    wrong = {name for name, (user, expected) in _people().items() if must_enrol(user) != expected}
    assert wrong == set()


def test_must_enrol_agrees_with_mfa_required_and_has_totp():
    for name, (user, _expected) in _people().items():
        assert must_enrol(user) == (mfa_required(user) and not has_totp(user)), name


def test_enrolling_takes_effect_on_the_next_answer():
    user = staff_member("programme_manager", two_factor=False)
    assert must_enrol(user)
    enrol_totp(user)
    assert not must_enrol(user)
    assert not must_enrol(UserFactory())
