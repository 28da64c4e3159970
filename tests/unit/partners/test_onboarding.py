"""Partner onboarding: apply, review (approve / more information / reject), provisioning.

One module because the tests follow one application from submission through review to a provisioned
workspace and share its fixtures.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from accounts.models import Membership, Organisation, Role
from partners.models import (
    ApplicationDecision,
    ApplicationDocument,
    ApplicationStatus,
    DuplicateFlag,
    Partner,
    PartnerApplication,
    PartnerPage,
    PartnerWorkspace,
)
from partners.services import onboarding, workspace
from tests.factories.accounts import MembershipFactory, PartnerOrganisationFactory, UserFactory
from tests.factories.partners import ApplicationFactory, docx_upload, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

APPLY_EN = "/en/partners/apply/"
APPLY_ZH = "/partners/apply/"


def review_url(application):
    return reverse("partner_applications:review", args=[application.public_id])


def private_files():
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def applicant(db):
    return UserFactory(email="lilei@galaxycloud.cn")


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def submitted(applicant_client, application_data, directory, tiers):
    response = applicant_client.post(APPLY_EN, application_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return PartnerApplication.objects.get()


def decide(client, reviewer, application, decision, message=""):
    client.force_login(reviewer)
    return client.post(review_url(application), {"decision": decision, "message": message})


# --- applying -------------------------------------------------------------------------


def test_anonymous_visitor_sees_the_programme_and_logs_in_only_to_submit(client):
    """The programme page (issue #18, point 9); posting an application still needs an account."""
    response = client.get(APPLY_EN)
    assert response.status_code == 200
    assert "/en/accounts/signup/?next=/en/partners/apply/" in response.content.decode()
    response = client.post(APPLY_EN, {})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_signed_in_user_submits_an_application_and_lands_on_its_status_page(
    applicant_client, applicant, application_data, regions, industries
):
    response = applicant_client.post(APPLY_EN, application_data)

    application = PartnerApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/partners/applications/{application.public_id}/"
    assert application.applicant == applicant
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.language == "en"
    assert application.company_name == "星河云科技有限公司"
    assert set(application.regions.all()) == {regions["east"], regions["north"]}
    assert list(application.industries.all()) == [industries["retail"]]
    document = application.documents.get()
    assert document.original_name == "licence.pdf"
    assert document.content_type == "application/pdf"

    page = applicant_client.get(response["Location"])
    assert page.status_code == 200
    assert "Galaxy Cloud Technology" in page.content.decode()
    assert 'data-status="submitted"' in page.content.decode()


def test_application_made_in_chinese_remembers_chinese_for_its_emails(applicant_client, application_data):
    applicant_client.post(APPLY_ZH, application_data)
    assert PartnerApplication.objects.get().language == "zh-hans"


def test_all_accepted_document_types_are_stored_privately(applicant_client, application_data):
    application_data["documents"] = [pdf_upload(), png_upload(), docx_upload()]
    applicant_client.post(APPLY_EN, application_data)

    documents = ApplicationDocument.objects.order_by("pk")
    assert [d.content_type for d in documents] == [
        "application/pdf",
        "image/png",
        onboarding.DOCX_TYPE,
    ]
    private_root = str(settings.PRIVATE_MEDIA_ROOT)
    for document in documents:
        assert document.file.path.startswith(private_root)
        assert "licence" not in document.file.name  # random stored names
        with pytest.raises(ValueError):
            document.file.url  # noqa: B018 - no public URL exists
    assert len(private_files()) == 3


def test_user_with_an_open_application_is_sent_to_it_instead_of_a_new_form(
    applicant_client, submitted, application_data
):
    response = applicant_client.get(APPLY_EN)
    assert response.status_code == 302
    assert response["Location"] == f"/en/partners/applications/{submitted.public_id}/"

    with pytest.raises(ValidationError) as error:
        onboarding.submit_application(
            applicant=submitted.applicant,
            company_name="另一个",
            kind="isv",
            contact_name="李雷",
            contact_email="lilei@galaxycloud.cn",
            description="再来一次",
            documents=[pdf_upload()],
        )
    assert error.value.messages == [str(onboarding.OPEN_APPLICATION_EXISTS)]
    assert PartnerApplication.objects.count() == 1


@pytest.mark.parametrize(
    "upload, expected",
    [
        (
            SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
            "“setup.exe” is not an accepted file type. Upload PDF, PNG, JPG or DOCX files.",
        ),
        (
            SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain"),
            "“notes.txt” is not an accepted file type. Upload PDF, PNG, JPG or DOCX files.",
        ),
        (
            SimpleUploadedFile("fake.pdf", b"MZ this is an executable", content_type="application/pdf"),
            "“fake.pdf” is not a valid PDF file. Check the file and upload it again.",
        ),
        (
            SimpleUploadedFile("fake.docx", b"PK\x03\x04 not really a zip", content_type="application/zip"),
            "“fake.docx” is not a valid DOCX file. Check the file and upload it again.",
        ),
        (
            pdf_upload("huge.pdf", size=10 * 1024 * 1024 + 1),
            "“huge.pdf” is 10.0\xa0MB; each document may be at most 10.0\xa0MB.",
        ),
    ],
    ids=["exe", "txt", "fake-pdf", "fake-docx", "over-10-mb"],
)
def test_bad_upload_is_refused_with_a_clear_message_and_nothing_is_saved(
    applicant_client, application_data, upload, expected
):
    application_data["documents"] = [pdf_upload("good.pdf"), upload]

    response = applicant_client.post(APPLY_EN, application_data)

    assert response.status_code == 200
    assert expected in response.context["form"].errors["documents"]
    assert expected in response.content.decode()
    assert PartnerApplication.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0
    assert private_files() == []


def test_application_without_documents_is_refused(applicant_client, application_data):
    application_data.pop("documents")
    response = applicant_client.post(APPLY_EN, application_data)
    assert response.status_code == 200
    assert str(onboarding.DOCUMENT_REQUIRED) in response.context["form"].errors["documents"]
    assert PartnerApplication.objects.count() == 0


def test_the_service_refuses_a_bad_document_even_without_the_form(applicant, application_data):
    application_data["documents"] = [SimpleUploadedFile("x.gif", b"GIF89a", content_type="image/gif")]
    with pytest.raises(ValidationError):
        onboarding.submit_application(applicant=applicant, **application_data)
    assert PartnerApplication.objects.count() == 0


# --- duplicates -----------------------------------------------------------------------


def test_same_company_name_ignoring_case_and_spaces_is_flagged_against_a_partner(
    applicant_client, application_data
):
    existing = PartnerOrganisationFactory(name="其他名字", name_en="  galaxy   CLOUD technology ")

    applicant_client.post(APPLY_EN, application_data)

    flag = DuplicateFlag.objects.get()
    assert flag.reason == DuplicateFlag.Reason.COMPANY_NAME
    assert flag.matched_organisation == existing


def test_same_email_and_website_domains_are_flagged_against_earlier_applications_and_partners(
    applicant_client, application_data
):
    earlier = ApplicationFactory(company_name="别的公司", contact_email="sales@galaxycloud.cn", website="")
    partner_org = PartnerOrganisationFactory(
        name="不同", name_en="Different", website="http://galaxycloud.cn/about"
    )

    applicant_client.post(APPLY_EN, application_data)

    application = PartnerApplication.objects.exclude(pk=earlier.pk).get()
    flags = {
        (f.reason, f.matched_application_id, f.matched_organisation_id)
        for f in application.duplicate_flags.all()
    }
    assert flags == {
        (DuplicateFlag.Reason.EMAIL_DOMAIN, earlier.pk, None),
        (DuplicateFlag.Reason.EMAIL_DOMAIN, None, partner_org.pk),
        (DuplicateFlag.Reason.WEBSITE_DOMAIN, None, partner_org.pk),
        # the earlier application's email domain is this application's website domain
        (DuplicateFlag.Reason.WEBSITE_DOMAIN, earlier.pk, None),
    }


def test_free_mail_domains_and_unrelated_companies_are_not_flagged(applicant_client, application_data):
    ApplicationFactory(
        company_name="无关公司", contact_email="someone@qq.com", website="https://unrelated.cn"
    )
    PartnerOrganisationFactory(name="另一家", name_en="Another One", website="https://another.example.com")
    application_data["contact_email"] = "lilei@qq.com"

    applicant_client.post(APPLY_EN, application_data)

    application = PartnerApplication.objects.get(company_name="星河云科技有限公司")
    assert application.email_domain == ""
    assert not application.duplicate_flags.exists()


def test_reviewer_sees_duplicate_flags_in_the_queue_and_on_the_application(
    client, applicant_client, application_data, reviewer
):
    existing = PartnerOrganisationFactory(name="星河云科技 有限公司")
    applicant_client.post(APPLY_EN, application_data)
    application = PartnerApplication.objects.get()

    client.force_login(reviewer)
    queue = client.get(reverse("partner_applications:index")).content.decode()
    review = client.get(review_url(application)).content.decode()

    assert 'data-duplicate-flags="1"' in queue
    with translation.override("zh-hans"):  # the admin speaks the reviewer's language (default Chinese)
        reason = str(DuplicateFlag.Reason.COMPANY_NAME.label)
    assert "data-duplicate-flags" in review
    assert reason in review
    assert existing.name in review


# --- decisions ------------------------------------------------------------------------


def test_reviewer_approves_and_the_partner_gets_organisation_page_group_and_collection(
    client, submitted, applicant, reviewer, directory, tiers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, reviewer, submitted, "approve", "欢迎加入！")

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.APPROVED
    organisation = submitted.organisation
    assert organisation.kind == Organisation.Kind.PARTNER
    assert (organisation.name, organisation.name_en) == ("星河云科技有限公司", "Galaxy Cloud Technology")
    assert organisation.slug == "galaxy-cloud-technology"
    assert organisation.website == "https://www.galaxycloud.cn"
    assert Membership.objects.get(organisation=organisation).user == applicant
    assert Membership.objects.get(organisation=organisation).role == Role.OWNER

    partner = organisation.partner
    assert partner.kind == "isv"
    assert partner.tier == tiers["isv"][0]
    assert partner.description == "面向零售行业的云端库存管理软件。"
    assert set(partner.regions.values_list("code", flat=True)) == {"east", "north"}
    assert list(partner.industries.values_list("slug", flat=True)) == ["retail"]

    page = PartnerPage.objects.get(partner=partner)
    assert page.get_parent().specific == directory
    assert page.live and page.slug == "galaxy-cloud-technology"
    assert (page.title, page.title_en) == ("星河云科技有限公司", "Galaxy Cloud Technology")
    assert page.url == "/partners/galaxy-cloud-technology/"

    group = Group.objects.get(name="Partner: galaxy-cloud-technology")
    assert partner.workspace.group == group
    page_perms = GroupPagePermission.objects.filter(group=group)
    assert {(p.page_id, p.permission.codename) for p in page_perms} == {
        (page.pk, "add_page"),
        (page.pk, "change_page"),
    }
    assert {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} == {
        "wagtailadmin.access_admin"
    }
    collection = partner.workspace.collection
    assert collection.get_parent() == Collection.get_first_root_node()
    assert {
        p.permission.codename
        for p in GroupCollectionPermission.objects.filter(group=group, collection=collection)
    } == {"add_image", "choose_image"}
    assert list(group.user_set.all()) == [applicant]
    assert applicant.has_perm("wagtailadmin.access_admin")

    assert submitted.decisions.get().kind == ApplicationDecision.Kind.APPROVE
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [applicant.email]
    assert "Galaxy Cloud Technology" in email.subject
    assert "欢迎加入！" in email.body
    assert email.alternatives and "欢迎加入！" in email.alternatives[0][0]

    public = client.get("/en/partners/galaxy-cloud-technology/")
    assert public.status_code == 200


def test_approval_is_all_or_nothing_when_a_step_fails(
    submitted, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    groups, collections = Group.objects.count(), Collection.objects.count()
    organisations, memberships = Organisation.objects.count(), Membership.objects.count()

    def broken_page(**kwargs):
        raise RuntimeError("page creation failed")

    monkeypatch.setattr(workspace, "_create_partner_page", broken_page)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        onboarding.approve_application(application=submitted, reviewer=reviewer, message="")

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.organisation is None
    assert Organisation.objects.count() == organisations
    assert Membership.objects.count() == memberships
    assert Partner.objects.count() == 0
    assert PartnerPage.objects.count() == 0
    assert PartnerWorkspace.objects.count() == 0
    assert Group.objects.count() == groups
    assert Collection.objects.count() == collections
    assert not submitted.decisions.exists()
    assert callbacks == [] and mail.outbox == []


def test_approval_fails_cleanly_when_the_group_step_fails(submitted, reviewer, monkeypatch):
    def broken_group(*args, **kwargs):
        raise RuntimeError("group creation failed")

    monkeypatch.setattr(workspace, "_create_group", broken_group)
    with pytest.raises(RuntimeError):
        onboarding.approve_application(application=submitted, reviewer=reviewer)

    assert PartnerPage.objects.count() == 0
    assert Partner.objects.count() == 0
    assert PartnerApplication.objects.get().status == ApplicationStatus.SUBMITTED


def test_more_information_lets_the_applicant_edit_and_resubmit(
    client, submitted, applicant, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, reviewer, submitted, "more_info", "请上传营业执照。")

    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.MORE_INFO
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert "请上传营业执照。" in email.body
    # Rendered in the applicant's language (English here): the link keeps the /en/ prefix.
    assert f"/en/partners/applications/{submitted.public_id}/edit/" in email.body

    client.force_login(applicant)
    status_page = client.get(f"/en/partners/applications/{submitted.public_id}/").content.decode()
    assert "请上传营业执照。" in status_page
    edit_url = f"/en/partners/applications/{submitted.public_id}/edit/"
    form_page = client.get(edit_url)
    assert form_page.status_code == 200
    assert "请上传营业执照。" in form_page.content.decode()

    data = {
        "company_name": "星河云科技有限公司",
        "company_name_en": "Galaxy Cloud Tech",
        "kind": "service",
        "regions": [],
        "industries": [],
        "contact_name": "李雷",
        "contact_email": "lilei@galaxycloud.cn",
        "contact_phone": "",
        "website": "https://www.galaxycloud.cn",
        "description": "更新后的介绍。",
        "description_en": "",
        "documents": [png_upload("licence.png")],
    }
    response = client.post(edit_url, data)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submission_count == 2
    assert submitted.company_name_en == "Galaxy Cloud Tech"
    assert submitted.kind == "service"
    assert submitted.documents.count() == 2
    assert client.get(edit_url)["Location"].endswith(f"/applications/{submitted.public_id}/")


def test_chinese_applicant_gets_the_decision_email_with_chinese_links(
    client, applicant_client, application_data, reviewer, django_capture_on_commit_callbacks
):
    applicant_client.post(APPLY_ZH, application_data)
    application = PartnerApplication.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, reviewer, application, "more_info", "请补充材料")

    body = mail.outbox[0].body
    assert f"http://127.0.0.1:8000/partners/applications/{application.public_id}/edit/" in body
    assert "/en/" not in body


def test_reviewer_rejects_with_a_message_that_is_emailed(
    client, submitted, applicant, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, reviewer, submitted, "reject", "暂不符合条件。")

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.REJECTED
    assert submitted.organisation is None
    assert Partner.objects.count() == 0
    assert mail.outbox[0].to == [applicant.email]
    assert "暂不符合条件。" in mail.outbox[0].body


def test_rejecting_without_a_message_changes_nothing(
    client, submitted, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, reviewer, submitted, "reject", "  ")

    assert response.status_code == 200
    assert str(onboarding.MESSAGE_REQUIRED) in response.context["form"].errors["message"]
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert mail.outbox == []


def test_decided_applications_cannot_be_decided_again(submitted, reviewer):
    onboarding.reject_application(application=submitted, reviewer=reviewer, message="no")
    with pytest.raises(ValidationError) as error:
        onboarding.approve_application(application=submitted, reviewer=reviewer)
    assert error.value.messages == [str(onboarding.APPROVE_NOT_ALLOWED)]
    assert Partner.objects.count() == 0


def test_only_reviewers_can_decide_even_through_the_service(submitted, customer):
    with pytest.raises(ValidationError) as error:
        onboarding.approve_application(application=submitted, reviewer=customer)
    assert error.value.messages == [str(onboarding.NOT_A_REVIEWER)]


def test_decision_email_is_sent_once_even_if_the_task_runs_twice(submitted, reviewer):
    decision = onboarding.reject_application(application=submitted, reviewer=reviewer, message="no")
    assert onboarding.send_decision_email(decision_id=decision.pk) is True
    assert onboarding.send_decision_email(decision_id=decision.pk) is False
    assert len(mail.outbox) == 1


def test_contact_email_also_receives_the_decision_when_it_differs(submitted, applicant, reviewer):
    PartnerApplication.objects.filter(pk=submitted.pk).update(contact_email="ops@galaxycloud.cn")
    decision = onboarding.reject_application(application=submitted, reviewer=reviewer, message="no")
    onboarding.send_decision_email(decision_id=decision.pk)
    assert mail.outbox[0].to == [applicant.email, "ops@galaxycloud.cn"]


# --- group membership follows organisation membership -----------------------------------


def test_joining_and_leaving_a_partner_organisation_joins_and_leaves_its_group(partner_a):
    group = partner_a.workspace.group
    newcomer = UserFactory()

    membership = MembershipFactory(user=newcomer, organisation=partner_a.organisation, role=Role.MEMBER)
    assert group.user_set.filter(pk=newcomer.pk).exists()

    membership.delete()
    assert not group.user_set.filter(pk=newcomer.pk).exists()


def test_joining_a_customer_organisation_grants_no_partner_group(partner_a, customer):
    before = set(customer.groups.all())
    MembershipFactory(user=customer, organisation=PartnerOrganisationFactory())
    assert set(customer.groups.all()) == before


def test_provisioning_is_idempotent(partner_a):
    pages, groups, collections = (
        PartnerPage.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
    )
    workspace.provision_partner_workspace(partner=partner_a)
    assert (PartnerPage.objects.count(), Group.objects.count(), Collection.objects.count()) == (
        pages,
        groups,
        collections,
    )
    assert partner_a.workspace.group.user_set.count() == 2


def test_a_group_left_by_an_earlier_partner_holds_exactly_the_new_workspace(directory):
    """A group of the same name already there (its partner deleted) keeps nothing it held: only
    admin access, add + change on the new page, add + choose on the new collection."""
    from tests.factories.partners import provisioned_partner

    elsewhere = provisioned_partner(organisation__slug="elsewhere").page
    group = Group.objects.create(name="Partner: reborn")
    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.create(group=group, page=elsewhere, permission=publish)

    partner = provisioned_partner(organisation__slug="reborn")

    assert partner.workspace.group == group
    assert {(p.page_id, p.permission.codename) for p in GroupPagePermission.objects.filter(group=group)} == {
        (partner.page.pk, "add_page"),
        (partner.page.pk, "change_page"),
    }
    assert [p.codename for p in group.permissions.all()] == ["access_admin"]
    assert {p.permission.codename for p in GroupCollectionPermission.objects.filter(group=group)} == {
        "add_image",
        "choose_image",
    }


def test_page_slug_never_shadows_a_django_url(directory):
    from tests.factories.partners import provisioned_partner

    partner = provisioned_partner(organisation__slug="apply", organisation__name="Apply Ltd")
    assert partner.page.slug == "apply-2"
