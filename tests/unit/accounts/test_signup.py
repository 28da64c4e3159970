import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.utils import get_form_class
from django.core import mail

from accounts import services
from accounts.allauth_forms import AtomicSignupForm
from accounts.models import Membership, Organisation, Role, User
from tests.factories.accounts import UserFactory
from tests.unit.accounts.helpers import SIGNUP_URL, outbox_to, paths_in

pytestmark = pytest.mark.django_db

ATOMIC_SIGNUP_FORMS = {"signup": "accounts.allauth_forms.AtomicSignupForm"}


def counts():
    return (
        User.objects.count(),
        EmailAddress.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )


def test_signup_creates_user_customer_organisation_and_owner_membership(client, signup_data):
    response = client.post(SIGNUP_URL, signup_data)

    assert response.status_code == 302
    user = User.objects.get(email="ada@example.com")
    assert user.display_name == "Ada Lovelace"
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.organisation.kind == Organisation.Kind.CUSTOMER
    assert membership.organisation.name == "Analytical Engines Ltd"
    assert membership.organisation.slug == "analytical-engines-ltd"
    assert not EmailAddress.objects.get(user=user).verified


def test_signup_sends_the_verification_email_with_a_confirm_link(client, signup_data):
    client.post(SIGNUP_URL, signup_data)

    [message] = outbox_to("ada@example.com")
    assert any("/accounts/confirm-email/" in path for path in paths_in(message.body))


def test_signup_without_organisation_name_names_the_organisation_after_the_person(client, signup_data):
    signup_data["organisation_name"] = ""
    client.post(SIGNUP_URL, signup_data)

    membership = Membership.objects.get(user__email="ada@example.com")
    assert membership.organisation.name == "Ada Lovelace"


def test_signup_without_any_name_names_the_organisation_after_the_email(client, signup_data):
    signup_data.update(organisation_name="", display_name="")
    client.post(SIGNUP_URL, signup_data)

    assert Membership.objects.get(user__email="ada@example.com").organisation.name == "ada"


def test_signup_with_an_existing_email_is_refused_and_creates_nothing(client, signup_data):
    UserFactory(email="ada@example.com")
    before = counts()

    response = client.post(SIGNUP_URL, {**signup_data, "email": "ADA@example.com"})

    assert response.status_code == 200
    assert "A user is already registered with this email address." in response.content.decode()
    assert counts() == before
    assert mail.outbox == []


def test_signup_with_a_weak_password_is_refused_and_creates_nothing(client, signup_data):
    before = counts()

    response = client.post(SIGNUP_URL, {**signup_data, "password1": "password", "password2": "password"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "This password is too short." in content
    assert "This password is too common." in content
    assert counts() == before
    assert mail.outbox == []


def test_signup_with_mismatched_passwords_is_refused_and_creates_nothing(client, signup_data):
    before = counts()

    response = client.post(SIGNUP_URL, {**signup_data, "password2": signup_data["password1"] + "x"})

    assert response.status_code == 200
    assert "You must type the same password each time." in response.content.decode()
    assert counts() == before


def test_a_signup_that_fails_half_way_leaves_nothing_behind(client, signup_data, settings, monkeypatch):
    settings.ACCOUNT_FORMS = ATOMIC_SIGNUP_FORMS

    def broken(**kwargs):
        raise RuntimeError("organisation store is down")

    monkeypatch.setattr(services, "create_organisation", broken)
    before = counts()

    with pytest.raises(RuntimeError):
        client.post(SIGNUP_URL, signup_data)

    assert counts() == before
    assert mail.outbox == []


def test_allauth_saves_signups_with_the_atomic_form():
    assert get_form_class(allauth_settings.FORMS, "signup", None) is AtomicSignupForm
