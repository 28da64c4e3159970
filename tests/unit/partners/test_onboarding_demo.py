"""The onboarding demo seed: pages and workspaces for existing partners, applications in every state."""

import io

import pytest
from django.core import mail

from demo import onboarding as demo_onboarding
from demo.base import SeedContext
from partners.models import ApplicationStatus, PartnerApplication, PartnerPage, PartnerWorkspace
from tests.factories.accounts import MembershipFactory
from tests.factories.partners import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_seed_provisions_existing_partners_and_fills_the_queue_idempotently(
    directory, tiers, regions, industries, django_capture_on_commit_callbacks
):
    partners = [PartnerFactory(organisation__website=f"https://seed{n}.example.com") for n in range(3)]
    member = MembershipFactory(organisation=partners[0].organisation).user
    ctx = SeedContext(size="small", stdout=io.StringIO())
    ctx.registry["partners.flagship"] = partners[0].pk

    with django_capture_on_commit_callbacks(execute=True):
        demo_onboarding.seed(ctx)
        demo_onboarding.seed(ctx)

    for partner in partners:
        page = PartnerPage.objects.get(partner=partner)
        assert page.live and page.get_parent().specific == directory
        assert PartnerWorkspace.objects.filter(partner=partner).exists()
    assert partners[0].workspace.group.user_set.filter(pk=member.pk).exists()
    assert PartnerPage.objects.count() == 4  # three partners and the approved application's

    statuses = sorted(PartnerApplication.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            ApplicationStatus.SUBMITTED,  # plain
            ApplicationStatus.SUBMITTED,  # resubmitted after more information
            ApplicationStatus.SUBMITTED,  # the duplicate
            ApplicationStatus.MORE_INFO,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
        ]
    )
    duplicate = PartnerApplication.objects.get(pk=ctx.registry["partners.applications"]["duplicate"])
    assert duplicate.duplicate_flags.get().matched_organisation == partners[0].organisation
    flagged = PartnerApplication.objects.filter(duplicate_flags__isnull=False).distinct()
    assert list(flagged) == [duplicate]
    assert PartnerApplication.objects.get(submission_count=2).documents.count() == 2
    assert mail.outbox == []  # the seed never mails anyone


def test_reset_removes_demo_pages_and_workspaces(directory, tiers, regions, industries):
    partner = PartnerFactory(organisation__website="https://gone.example.com")
    ctx = SeedContext(size="small", stdout=io.StringIO())
    demo_onboarding.seed(ctx)
    assert PartnerPage.objects.filter(partner=partner).exists()

    demo_onboarding.reset(ctx)

    assert not PartnerPage.objects.filter(partner=partner).exists()
    assert not PartnerWorkspace.objects.filter(partner=partner).exists()
    directory.refresh_from_db()
    assert directory.numchild == PartnerPage.objects.count()


def test_bulk_provisioning_builds_a_valid_tree_like_add_child(directory, tiers):
    """``provision_workspaces`` writes pages and collections in bulk: the trees stay valid
    (paths, depths, numchild), slugs stay unique and clear of Django URLs, collections stay in
    name order, pages are searchable, and a page left without its partner is reused."""
    from wagtail.models import Collection, Page
    from wagtail.search.backends import get_search_backend

    from partners.services import workspace

    early = PartnerFactory(organisation__slug="zeta-early", organisation__name_en="Zeta Early")
    workspace.provision_workspaces(partner_ids=[early.pk])  # an older sibling that sorts last
    orphan = PartnerPage.objects.get(partner=early)
    early.delete()  # its page stays, without a partner
    partners = [
        PartnerFactory(organisation__slug=slug, organisation__name_en=f"Bulk {slug}")
        for slug in ("mango", "apply", "alpha", "zeta-early")  # "apply" is a Django URL
    ]

    counts = workspace.provision_workspaces(partner_ids=[p.pk for p in partners])

    assert counts == {"pages": 4, "workspaces": 4}
    assert [len(problems) for problems in Page.find_problems()] == [0] * 5
    assert [len(problems) for problems in Collection.find_problems()] == [0] * 5
    directory.refresh_from_db()
    assert directory.numchild == PartnerPage.objects.child_of(directory).count() == 4
    slugs = {p.organisation.slug: PartnerPage.objects.get(partner=p).slug for p in partners}
    assert slugs == {"mango": "mango", "apply": "apply-2", "alpha": "alpha", "zeta-early": "zeta-early"}
    assert PartnerPage.objects.get(partner=partners[3]).pk == orphan.pk  # reused
    page = PartnerPage.objects.get(partner=partners[0])
    assert page.live and page.url_path == f"{directory.url_path}mango/" and page.title_en == "Bulk mango"
    assert page.get_parent().specific == directory and page.locale_id == directory.locale_id
    assert [p.pk for p in get_search_backend().search("Bulk mango", PartnerPage)] == [page.pk]
    root = Collection.get_first_root_node()
    names = list(root.get_children().values_list("name", flat=True))
    assert names == sorted(names) and "Partner: alpha" in names
    assert workspace.provision_workspaces(partner_ids=[p.pk for p in partners]) == {
        "pages": 0,
        "workspaces": 0,
    }
