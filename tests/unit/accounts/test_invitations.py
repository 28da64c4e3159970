from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts import services
from accounts.models import Invitation, Membership, Organisation, Role, User
from accounts.selectors import INVITATION_SESSION_KEY
from accounts.tasks import send_invitation_email
from tests.factories.accounts import (
    AdminFactory,
    InvitationFactory,
    MembershipFactory,
    OwnerFactory,
    UserFactory,
)
from tests.unit.accounts.helpers import SIGNUP_URL, STRONG_PASSWORD, flashed, log_in, outbox_to, paths_in

pytestmark = pytest.mark.django_db


def accept_path(invitation, lang="en"):
    prefix = "/en" if lang == "en" else ""
    return f"{prefix}/account/invitations/{invitation.token}/"


@pytest.fixture
def owner():
    return OwnerFactory(organisation__name="星云科技", organisation__name_en="Nebula Tech")


def invite(owner, email="grace@example.com", role=Role.ADMIN, language="en"):
    return services.invite_member(
        organisation=owner.organisation, invited_by=owner.user, email=email, role=role, language=language
    )


# --- invite_member --------------------------------------------------------------------
def test_owner_invites_and_the_email_carries_the_absolute_accept_url(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(owner, email="Grace@Example.com")

    assert invitation.email == "grace@example.com"
    [message] = outbox_to("grace@example.com")
    assert "Nebula Tech" in message.subject
    url = f"http://127.0.0.1:8000/en/account/invitations/{invitation.token}/"
    assert url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert url in html
    assert '<html lang="en">' in html


def test_invitation_email_follows_the_invitation_language(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(owner, language="zh-hans")

    [message] = outbox_to("grace@example.com")
    assert f"http://127.0.0.1:8000/account/invitations/{invitation.token}/" in message.body
    assert "星云科技" in message.subject
    assert '<html lang="zh-hans">' in message.alternatives[0][0]


def test_invitation_email_is_sent_only_after_commit(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(owner)

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_admin_may_invite_but_not_as_owner(owner):
    admin = AdminFactory(organisation=owner.organisation)

    invitation = services.invite_member(
        organisation=owner.organisation, invited_by=admin.user, email="a@example.com", role=Role.ADMIN
    )
    assert invitation.role == Role.ADMIN
    with pytest.raises(ValidationError) as exc:
        services.invite_member(
            organisation=owner.organisation, invited_by=admin.user, email="b@example.com", role=Role.OWNER
        )
    assert exc.value.messages == [str(services.OWNER_ONLY)]


def test_plain_member_cannot_invite(owner):
    member = MembershipFactory(organisation=owner.organisation, role=Role.MEMBER)

    with pytest.raises(ValidationError) as exc:
        invite(member, role=Role.MEMBER)

    assert exc.value.messages == [str(services.NOT_A_MANAGER)]
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_for_the_same_email_is_refused(owner):
    invite(owner, email="grace@example.com")

    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            invite(owner, email="GRACE@example.com")
        assert "grace@example.com already has a pending invitation" in exc.value.messages[0]
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(owner):
    InvitationFactory(organisation=owner.organisation, email="grace@example.com", expired=True)

    invite(owner, email="grace@example.com")

    assert Invitation.objects.filter(email="grace@example.com").count() == 2


def test_existing_members_cannot_be_invited(owner):
    MembershipFactory(organisation=owner.organisation, user__email="grace@example.com")

    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            invite(owner, email="grace@example.com")
        assert exc.value.messages == ["grace@example.com is already a member of this organisation."]


# --- invitation happy path through the web ------------------------------------------------
def test_invited_person_signs_up_through_the_link_and_joins_with_the_invited_role(
    client, owner, django_capture_on_commit_callbacks
):
    organisations_before = Organisation.objects.count()
    log_in(client, owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/account/org/{owner.organisation.slug}/invite/",
            {"email": "grace@example.com", "role": Role.ADMIN, "language": "en"},
        )
    assert response.status_code == 302
    assert flashed(response) == ["Invitation sent to grace@example.com."]
    client.post("/en/accounts/logout/")

    [message] = outbox_to("grace@example.com")
    [link] = [path for path in paths_in(message.body) if "/account/invitations/" in path]
    page = client.get(link)
    assert page.status_code == 200
    assert "Join Nebula Tech" in page.content.decode()
    assert client.session[INVITATION_SESSION_KEY] in link

    signup_page = client.get(SIGNUP_URL)
    assert 'value="grace@example.com"' in signup_page.content.decode()
    assert 'name="organisation_name"' not in signup_page.content.decode()

    response = client.post(
        f"{SIGNUP_URL}?next={link}",
        {
            "display_name": "Grace",
            "email": "grace@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )

    grace = User.objects.get(email="grace@example.com")
    membership = Membership.objects.get(user=grace)
    assert membership.organisation == owner.organisation
    assert membership.role == Role.ADMIN
    assert Organisation.objects.count() == organisations_before
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == grace
    assert invitation.accepted_at is not None
    # The link was mailed to that address: it counts as verified, no confirmation mail.
    assert EmailAddress.objects.get(user=grace).verified
    assert outbox_to("grace@example.com") == [message]
    assert response.status_code == 302
    assert client.get("/en/account/").status_code == 200  # signed in straight away
    assert INVITATION_SESSION_KEY not in client.session


def test_signing_up_through_a_link_with_another_email_is_refused(client, owner):
    invitation = InvitationFactory(organisation=owner.organisation, email="grace@example.com")
    client.get(accept_path(invitation))
    users_before, organisations_before = User.objects.count(), Organisation.objects.count()

    response = client.post(
        SIGNUP_URL,
        {"email": "mallory@example.com", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )

    assert response.status_code == 200
    assert "This invitation was sent to grace@example.com." in response.content.decode()
    assert (User.objects.count(), Organisation.objects.count()) == (users_before, organisations_before)
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_signing_up_after_the_invitation_was_revoked_creates_an_own_organisation(client, owner):
    invitation = InvitationFactory(organisation=owner.organisation, email="grace@example.com")
    client.get(accept_path(invitation))
    invitation.revoked_at = timezone.now()
    invitation.save()

    client.post(
        SIGNUP_URL,
        {"email": "grace@example.com", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )

    membership = Membership.objects.get(user__email="grace@example.com")
    assert membership.organisation != owner.organisation
    assert membership.role == Role.OWNER
    assert not EmailAddress.objects.get(email="grace@example.com").verified


def test_signed_in_user_accepts_an_invitation_to_a_verified_address(client, owner):
    grace = UserFactory(email="grace@example.com")
    invitation = InvitationFactory(
        organisation=owner.organisation, email="grace@example.com", role=Role.MEMBER
    )
    log_in(client, grace)

    page = client.get(accept_path(invitation))
    assert "Accept invitation" in page.content.decode()
    response = client.post(accept_path(invitation))

    assert response.status_code == 302
    assert response["Location"] == f"/en/account/org/{owner.organisation.slug}/"
    assert Membership.objects.get(user=grace, organisation=owner.organisation).role == Role.MEMBER
    assert client.session["active_organisation_id"] == owner.organisation.pk


def test_invitation_to_an_unverified_address_cannot_be_accepted(client, owner):
    grace = UserFactory(email="grace@example.com")
    EmailAddress.objects.create(user=grace, email="grace@work.example", verified=False, primary=False)
    invitation = InvitationFactory(organisation=owner.organisation, email="grace@work.example")
    log_in(client, grace)

    response = client.post(accept_path(invitation))

    assert flashed(response) == [str(services.INVITATION_EMAIL_MISMATCH % {"email": "grace@work.example"})]
    assert not Membership.objects.filter(user=grace, organisation=owner.organisation).exists()
    invitation.refresh_from_db()
    assert invitation.is_usable


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ({"expired": True}, 410, services.INVITATION_EXPIRED),
        ({"accepted": True}, 410, services.INVITATION_USED),
        ({"revoked": True}, 410, services.INVITATION_REVOKED),
    ],
)
def test_unusable_invitation_shows_why_and_changes_nothing(client, owner, state, status, message):
    grace = UserFactory(email="grace@example.com")
    invitation = InvitationFactory(organisation=owner.organisation, email="grace@example.com", **state)
    log_in(client, grace)
    memberships_before = Membership.objects.count()

    page = client.get(accept_path(invitation))
    post = client.post(accept_path(invitation))

    assert page.status_code == status
    assert str(message) in page.content.decode()
    assert post.status_code == status
    assert str(message) in post.content.decode()
    assert Membership.objects.count() == memberships_before


def test_unknown_token_answers_404_with_a_clear_message(client):
    response = client.get("/en/account/invitations/not-a-real-token/")

    assert response.status_code == 404
    assert str(services.INVITATION_INVALID) in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session


def test_an_invitation_cannot_be_used_twice(owner):
    grace = UserFactory(email="grace@example.com")
    invitation = InvitationFactory(organisation=owner.organisation, email="grace@example.com")
    services.accept_invitation(token=invitation.token, user=grace)
    Membership.objects.filter(user=grace).delete()  # even after leaving again

    with pytest.raises(ValidationError) as exc:
        services.accept_invitation(token=invitation.token, user=grace)

    assert exc.value.messages == [str(services.INVITATION_USED)]
    assert not Membership.objects.filter(user=grace).exists()


def test_an_invitation_expires(owner):
    grace = UserFactory(email="grace@example.com")
    invitation = InvitationFactory(
        organisation=owner.organisation,
        email="grace@example.com",
        expires_at=timezone.now() + timedelta(seconds=1),
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(ValidationError) as exc:
        services.accept_invitation(token=invitation.token, user=grace)

    assert exc.value.messages == [str(services.INVITATION_EXPIRED)]


def test_anonymous_visitor_gets_sign_up_and_log_in_links_that_come_back(client, owner):
    invitation = InvitationFactory(organisation=owner.organisation)

    content = client.get(accept_path(invitation)).content.decode()

    here = accept_path(invitation)
    assert f"/en/accounts/signup/?next={here}" in content
    assert f"/en/accounts/login/?next={here}" in content


# --- revoke ---------------------------------------------------------------------------
def test_owner_revokes_a_pending_invitation_and_the_link_stops_working(client, owner):
    invitation = InvitationFactory(organisation=owner.organisation, email="grace@example.com")
    log_in(client, owner.user)

    response = client.post(
        f"/en/account/org/{owner.organisation.slug}/invitations/{invitation.public_id}/revoke/"
    )

    assert flashed(response) == ["The invitation to grace@example.com was revoked."]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(accept_path(invitation)).status_code == 410


def test_member_cannot_revoke_and_nothing_changes(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    invitation = InvitationFactory(organisation=owner.organisation)
    log_in(client, member.user)

    response = client.post(
        f"/en/account/org/{owner.organisation.slug}/invitations/{invitation.public_id}/revoke/"
    )

    assert flashed(response) == [str(services.NOT_A_MANAGER)]
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_revoking_another_organisations_invitation_answers_404(client, owner):
    other_invitation = InvitationFactory()
    log_in(client, owner.user)

    response = client.post(
        f"/en/account/org/{owner.organisation.slug}/invitations/{other_invitation.public_id}/revoke/"
    )

    assert response.status_code == 404
    other_invitation.refresh_from_db()
    assert other_invitation.is_usable


# --- the task ---------------------------------------------------------------------------
def test_task_does_not_mail_an_invitation_revoked_before_it_ran():
    invitation = InvitationFactory(revoked=True)

    assert send_invitation_email(invitation.pk) is False
    assert mail.outbox == []


def test_task_retries_with_backoff_on_mail_server_errors():
    assert OSError in send_invitation_email.autoretry_for
    assert send_invitation_email.retry_backoff
