"""Account overlap between co-selling partners (Crossbeam's rule): counts for both sides until
both agree to share names; either side can revoke; partners who do not co-sell get 404."""

import pytest

from cosell.models import CoSellInvite, OverlapConsent
from cosell.services import invites as invite_service
from cosell.services import overlap as overlap_service
from cosell.services import registrations as svc
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of, provisioned_partner

pytestmark = pytest.mark.django_db

BASE = "/en/partners/console/deals/overlap/"
A_CUSTOMER = "深圳市腾讯计算机系统有限公司"
B_CUSTOMER = "騰訊科技（深圳）有限公司"  # the same customer, as B wrote it (Traditional characters)


def register(partner, listing, **fields):
    reg = svc.create_registration(partner=partner, user=None, data=deal_data(listing, **fields))
    return svc.submit(registration=reg, user=None)


@pytest.fixture
def co_selling(partner_a, partner_b, listing):
    deal = register(partner_a, listing, customer_domain="https://www.tencent.com")
    register(partner_b, listing, customer_name=B_CUSTOMER, customer_domain="tencent.com")
    invite = invite_service.invite(
        registration=deal, partner_slug=partner_b.organisation.slug, user=owner_of(partner_a)
    )
    return invite


def page(client, partner, other):
    client.force_login(owner_of(partner))
    response = client.get(f"{BASE}{other.organisation.slug}/")
    return response.status_code, response.content.decode()


def consent(client, partner, other, agree):
    client.force_login(owner_of(partner))
    return client.post(f"{BASE}{other.organisation.slug}/consent/", {"agree": "1" if agree else "0"})


def test_names_only_after_both_agree_and_hidden_again_after_a_revocation(
    client, partner_a, partner_b, co_selling
):
    assert overlap_service.overlap(partner=partner_a, other=partner_b)["count"] == 1
    # Nobody agreed: counts only, on both sides.
    for me, other, theirs in ((partner_a, partner_b, "騰訊科技"), (partner_b, partner_a, A_CUSTOMER)):
        status, html = page(client, me, other)
        assert status == 200 and "1 account in common" in html
        assert theirs not in html and 'data-testid="names-hidden"' in html

    # A agrees: still counts only for both — B has not agreed.
    consent(client, partner_a, partner_b, agree=True)
    assert OverlapConsent.objects.filter(partner=partner_a, other=partner_b).exists()
    status, html = page(client, partner_a, partner_b)
    assert "騰訊科技" not in html and "You agreed to share names." in html
    status, html = page(client, partner_b, partner_a)
    assert A_CUSTOMER not in html and "Alpha Channel agreed to share names." in html

    # B agrees too: both see both names, side by side.
    consent(client, partner_b, partner_a, agree=True)
    for me, other in ((partner_a, partner_b), (partner_b, partner_a)):
        status, html = page(client, me, other)
        assert 'data-testid="overlap-names"' in html
        assert A_CUSTOMER in html and ("騰訊科技" in html or "腾讯科技" in html)

    # B revokes: names disappear for both again; the count stays.
    consent(client, partner_b, partner_a, agree=False)
    assert overlap_service.overlap(partner=partner_a, other=partner_b)["names"] is None
    for me, other, theirs in (
        (partner_a, partner_b, ("腾讯科技", "騰訊科技")),
        (partner_b, partner_a, (A_CUSTOMER,)),
    ):
        status, html = page(client, me, other)
        assert "1 account in common" in html and not any(name in html for name in theirs)


def test_other_organisations_get_404(client, partner_a, partner_b, co_selling):
    third = provisioned_partner(organisation__slug="third-party", organisation__name_en="Third Party")
    # A third partner that co-sells with nobody: neither overlap page exists for it.
    for other in (partner_a, partner_b):
        status, _ = page(client, third, other)
        assert status == 404
        assert consent(client, third, other, agree=True).status_code == 404
    # Nor does A or B see an overlap page for the third partner, or an unknown address.
    assert page(client, partner_a, third)[0] == 404
    client.force_login(owner_of(partner_a))
    assert client.get(f"{BASE}no-such-partner/").status_code == 404
    assert not OverlapConsent.objects.filter(partner=third).exists()
    # The service refuses a consent outside a co-selling pair too.
    with pytest.raises(Exception, match="co-sell"):
        overlap_service.agree(partner=third, other=partner_a, user=None)


def test_a_declined_invitation_ends_the_pair(client, partner_a, partner_b, co_selling):
    declined = invite_service.answer(invite=co_selling, accept=False)
    assert declined.status == CoSellInvite.Status.DECLINED
    assert page(client, partner_b, partner_a)[0] == 404
    client.force_login(owner_of(partner_a))
    assert partner_b.organisation.name_en not in client.get(BASE).content.decode()
