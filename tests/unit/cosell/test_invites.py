"""Co-sell between partners: invite onto an approved deal, accept, see it read-only; others 404."""

import pytest

from cosell.models import CoSellInvite
from cosell.services import registrations as svc
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of, provisioned_partner

pytestmark = pytest.mark.django_db

BASE = "/en/partners/console/deals/"


def test_invite_accept_and_read_only_access(client, partner_a, partner_b, listing):
    reg = svc.submit(
        registration=svc.create_registration(partner=partner_a, user=None, data=deal_data(listing)), user=None
    )
    # Both partners registered 字节跳动 (B is held): one account in common, shown as a count only.
    for partner in (partner_a, partner_b):
        data = deal_data(listing, customer_name="北京字节跳动科技有限公司")
        svc.submit(registration=svc.create_registration(partner=partner, user=None, data=data), user=None)
    client.force_login(owner_of(partner_a))
    # Not yourself, not an unknown partner.
    client.post(f"{BASE}{reg.public_id}/invite/", {"partner": partner_a.organisation.slug})
    client.post(f"{BASE}{reg.public_id}/invite/", {"partner": "no-such-partner"})
    assert not CoSellInvite.objects.exists()
    client.post(
        f"{BASE}{reg.public_id}/invite/", {"partner": partner_b.organisation.slug, "message": "一起做"}
    )
    invite = CoSellInvite.objects.get()
    assert invite.partner == partner_b

    client.force_login(owner_of(partner_b))
    assert client.get(f"{BASE}shared/{reg.public_id}/").status_code == 404  # not accepted yet
    pipeline = client.get(BASE).content.decode()
    assert "Alpha Channel" in pipeline and "1 account in common" in pipeline
    client.post(f"{BASE}invites/{invite.public_id}/answer/", {"accept": "1"})
    invite.refresh_from_db()
    assert invite.status == CoSellInvite.Status.ACCEPTED
    page = client.get(f"{BASE}shared/{reg.public_id}/")
    assert page.status_code == 200 and "深圳市腾讯" in page.content.decode()
    # Read-only: the owner's pages stay 404 for the invited partner.
    assert client.get(f"{BASE}{reg.public_id}/").status_code == 404
    assert client.post(f"{BASE}{reg.public_id}/close/won/").status_code == 404

    third = provisioned_partner(organisation__slug="third-party")
    client.force_login(owner_of(third))
    assert client.get(f"{BASE}shared/{reg.public_id}/").status_code == 404
    assert client.post(f"{BASE}invites/{invite.public_id}/answer/", {"accept": "0"}).status_code == 404


def test_only_approved_deals_take_invitations(client, partner_a, partner_b, listing):
    draft = svc.create_registration(partner=partner_a, user=None, data=deal_data(listing))
    client.force_login(owner_of(partner_a))
    client.post(f"{BASE}{draft.public_id}/invite/", {"partner": partner_b.organisation.slug})
    assert not CoSellInvite.objects.exists()
