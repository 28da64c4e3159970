import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Membership, Role
from tests.factories.accounts import AdminFactory, MembershipFactory, OwnerFactory
from tests.unit.accounts.helpers import flashed, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return OwnerFactory()


def role_url(membership):
    return f"/en/account/org/{membership.organisation.slug}/members/{membership.public_id}/role/"


def remove_url(membership):
    return f"/en/account/org/{membership.organisation.slug}/members/{membership.public_id}/remove/"


def leave_url(organisation):
    return f"/en/account/org/{organisation.slug}/leave/"


def refreshed(membership):
    return Membership.objects.filter(pk=membership.pk).first()


# --- the last owner ---------------------------------------------------------------------
def test_last_owner_cannot_leave(client, owner):
    log_in(client, owner.user)

    response = client.post(leave_url(owner.organisation))

    assert flashed(response) == [str(services.LAST_OWNER_LEAVE)]
    assert refreshed(owner) is not None


def test_last_owner_cannot_be_removed(client, owner):
    log_in(client, owner.user)

    response = client.post(remove_url(owner))

    assert flashed(response) == [str(services.LAST_OWNER_REMOVE)]
    assert refreshed(owner) is not None


def test_last_owner_cannot_be_demoted(client, owner):
    log_in(client, owner.user)

    response = client.post(role_url(owner), {"role": Role.ADMIN})

    assert flashed(response) == [str(services.LAST_OWNER_DEMOTE)]
    assert refreshed(owner).role == Role.OWNER


def test_an_owner_may_leave_when_another_owner_remains(client, owner):
    OwnerFactory(organisation=owner.organisation)
    log_in(client, owner.user)

    response = client.post(leave_url(owner.organisation))

    assert response["Location"] == "/en/account/"
    assert refreshed(owner) is None


def test_an_owner_may_step_down_when_another_owner_remains(owner):
    OwnerFactory(organisation=owner.organisation)

    services.change_role(actor=owner.user, membership=owner, role=Role.MEMBER)

    assert refreshed(owner).role == Role.MEMBER


def test_member_leaves_and_the_active_organisation_is_forgotten(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    log_in(client, member.user)
    client.post("/en/account/switch/", {"organisation": owner.organisation.slug})

    client.post(leave_url(owner.organisation))

    assert refreshed(member) is None
    assert "active_organisation_id" not in client.session


# --- who may manage ---------------------------------------------------------------------
def test_owner_promotes_a_member_to_admin(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    log_in(client, owner.user)

    response = client.post(role_url(member), {"role": Role.ADMIN})

    assert refreshed(member).role == Role.ADMIN
    assert flashed(response) == [f"{member.user} is now Admin."]


def test_owner_removes_a_member(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    log_in(client, owner.user)

    client.post(remove_url(member))

    assert refreshed(member) is None


def test_member_cannot_change_roles_and_nothing_changes(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    other = MembershipFactory(organisation=owner.organisation)
    log_in(client, member.user)

    response = client.post(role_url(other), {"role": Role.ADMIN})

    assert flashed(response) == [str(services.NOT_A_MANAGER)]
    assert refreshed(other).role == Role.MEMBER


def test_member_cannot_promote_themselves(owner):
    member = MembershipFactory(organisation=owner.organisation)

    with pytest.raises(ValidationError) as exc:
        services.change_role(actor=member.user, membership=member, role=Role.OWNER)

    assert exc.value.messages == [str(services.NOT_A_MANAGER)]
    assert refreshed(member).role == Role.MEMBER


def test_member_cannot_remove_others(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    other = MembershipFactory(organisation=owner.organisation)
    log_in(client, member.user)

    response = client.post(remove_url(other))

    assert flashed(response) == [str(services.NOT_A_MANAGER)]
    assert refreshed(other) is not None


def test_member_cannot_invite_and_gets_a_clear_refusal(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    log_in(client, member.user)

    response = client.post(
        f"/en/account/org/{owner.organisation.slug}/invite/",
        {"email": "x@example.com", "role": Role.MEMBER, "language": "en"},
    )

    assert response.status_code == 302
    assert flashed(response) == [str(services.NOT_A_MANAGER)]
    assert not owner.organisation.invitations.exists()


def test_admin_cannot_demote_or_remove_an_owner(owner):
    OwnerFactory(organisation=owner.organisation)
    admin = AdminFactory(organisation=owner.organisation)

    with pytest.raises(ValidationError) as demote:
        services.change_role(actor=admin.user, membership=owner, role=Role.MEMBER)
    with pytest.raises(ValidationError) as remove:
        services.remove_member(actor=admin.user, membership=owner)

    assert demote.value.messages == remove.value.messages == [str(services.OWNER_ONLY)]
    assert refreshed(owner).role == Role.OWNER


def test_admin_cannot_make_anyone_an_owner(owner):
    admin = AdminFactory(organisation=owner.organisation)
    member = MembershipFactory(organisation=owner.organisation)

    with pytest.raises(ValidationError) as exc:
        services.change_role(actor=admin.user, membership=member, role=Role.OWNER)

    assert exc.value.messages == [str(services.OWNER_ONLY)]


def test_admin_manages_members(owner):
    admin = AdminFactory(organisation=owner.organisation)
    member = MembershipFactory(organisation=owner.organisation)

    services.change_role(actor=admin.user, membership=member, role=Role.ADMIN)
    assert refreshed(member).role == Role.ADMIN
    services.remove_member(actor=admin.user, membership=member)
    assert refreshed(member) is None


def test_an_unknown_role_is_refused(client, owner):
    member = MembershipFactory(organisation=owner.organisation)
    log_in(client, owner.user)

    response = client.post(role_url(member), {"role": "emperor"})

    assert response.status_code == 302
    assert "Select a valid choice" in flashed(response)[0]
    assert refreshed(member).role == Role.MEMBER


# --- other organisations' objects answer 404 ---------------------------------------------
def test_changing_a_membership_of_another_organisation_answers_404(client, owner):
    stranger = MembershipFactory()
    log_in(client, owner.user)

    via_own_org = client.post(
        f"/en/account/org/{owner.organisation.slug}/members/{stranger.public_id}/role/", {"role": Role.MEMBER}
    )
    via_their_org = client.post(role_url(stranger), {"role": Role.ADMIN})
    remove = client.post(remove_url(stranger))

    assert (via_own_org.status_code, via_their_org.status_code, remove.status_code) == (404, 404, 404)
    assert refreshed(stranger).role == Role.MEMBER


def test_leaving_or_inviting_to_an_organisation_you_are_not_in_answers_404(client, owner):
    stranger = MembershipFactory()
    log_in(client, owner.user)

    assert client.post(leave_url(stranger.organisation)).status_code == 404
    invite = client.post(
        f"/en/account/org/{stranger.organisation.slug}/invite/",
        {"email": "x@example.com", "role": Role.MEMBER, "language": "en"},
    )
    assert invite.status_code == 404
    assert refreshed(stranger) is not None


@pytest.mark.parametrize(
    "path", ["leave/", "invite/", "members/00000000-0000-0000-0000-000000000000/remove/"]
)
def test_member_actions_are_post_only(client, owner, path):
    log_in(client, owner.user)

    assert client.get(f"/en/account/org/{owner.organisation.slug}/{path}").status_code == 405
