"""Requirement attachments: type, size and content checked (``core.uploads``) before anything is
written, at most five, stored privately under a random name; downloaded by the customer, invited
or awarded partners and moderating staff; everyone else gets 404 (403 in the admin)."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotAllowed
from demand.models import Invitation, Requirement, RequirementAttachment
from demand.services import attachments as services
from tests.factories.accounts import staff_member
from tests.factories.demand import RequirementFactory
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import signed_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="spec.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def requirement(customer_org):
    return RequirementFactory(customer_organisation=customer_org, state="open")


@pytest.mark.django_db
@pytest.mark.usefixtures("english")
def test_bad_type_fake_content_and_oversize_are_refused_and_nothing_is_stored(
    requirement, customer, settings
):
    with pytest.raises(ApplicationError) as exc:
        services.attach(requirement=requirement, user=customer, files=[pdf(), pdf("run.exe", b"MZ")])
    assert "run.exe" in exc.value.message and "not an accepted file type" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        services.attach(requirement=requirement, user=customer, files=[pdf("fake.pdf", b"<html>")])
    assert "not a valid PDF file" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        services.attach(
            requirement=requirement, user=customer, files=[pdf("photo.png", b"\x89PNG\r\n\x1a\nxx")]
        )
    assert "not a valid PNG file" in exc.value.message
    settings.DEMAND_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ApplicationError) as exc:
        services.attach(requirement=requirement, user=customer, files=[pdf()])
    assert "files may be at most" in exc.value.message
    assert not RequirementAttachment.objects.exists()


@pytest.mark.django_db
def test_attachments_are_private_with_a_random_name_and_at_most_five(requirement, customer):
    saved = services.attach(requirement=requirement, user=customer, files=[pdf("规格说明.pdf")])
    item = saved[0]
    assert item.original_name == "规格说明.pdf" and item.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "规格" not in item.file.name and item.file.name.startswith(f"demand/{requirement.public_id}/")
    with pytest.raises(ValueError):
        item.file.url  # private storage: no public URL  # noqa: B018
    services.attach(requirement=requirement, user=customer, files=[pdf(f"{n}.pdf") for n in range(4)])
    with pytest.raises(ApplicationError):
        services.attach(requirement=requirement, user=customer, files=[pdf("sixth.pdf")])
    assert requirement.attachments.count() == 5
    Requirement.objects.filter(pk=requirement.pk).update(state="awarded")
    requirement.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.remove(attachment=item)


@pytest.mark.django_db
def test_posting_with_files_attaches_them_and_a_bad_file_saves_nothing(client, customer, customer_org):
    signed_in(client, customer, customer_org)
    data = {
        "title": "CRM 定制",
        "description": "定制开发",
        "currency": "CNY",
        "proposal_due": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "award_by": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "mode": "routed",
        "claim_limit": "5",
        "submit": "1",
    }
    bad = client.post(reverse("demand:requirement-new"), {**data, "attachments": [pdf("x.pdf", b"nope")]})
    assert bad.status_code == 400 and not Requirement.objects.exists()
    response = client.post(reverse("demand:requirement-new"), {**data, "attachments": [pdf(), pdf("b.pdf")]})
    assert response.status_code == 302
    requirement = Requirement.objects.get()
    assert sorted(requirement.attachments.values_list("original_name", flat=True)) == ["b.pdf", "spec.pdf"]


@pytest.mark.django_db
def test_downloads_for_customer_invited_partner_and_staff_only(
    client, requirement, customer, customer_org, other_customer, partner_a, partner_b
):
    item = services.attach(requirement=requirement, user=customer, files=[pdf()])[0]
    Invitation.objects.create(requirement=requirement, partner=partner_a, source="routed")
    customer_url = reverse(
        "demand:attachment", kwargs={"public_id": requirement.public_id, "attachment_id": item.public_id}
    )
    partner_url = reverse(
        "demand:hall-attachment", kwargs={"public_id": requirement.public_id, "attachment_id": item.public_id}
    )
    signed_in(client, customer, customer_org)
    response = client.get(customer_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert (
        response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    )
    signed_in(client, other_customer, other_customer.memberships.first().organisation)
    assert client.get(customer_url).status_code == 404
    for partner, expected in ((partner_a, 200), (partner_b, 404)):
        signed_in(client, owner_of(partner), partner.organisation)
        assert client.get(partner_url).status_code == expected, partner
    staff_url = reverse(
        "demand_admin:attachment",
        kwargs={"public_id": requirement.public_id, "attachment_id": item.public_id},
    )
    manager = staff_member("programme_manager", email="pm@symbio.example")
    client.force_login(manager)
    assert client.get(staff_url).status_code == 200
    client.force_login(customer)
    assert client.get(staff_url).status_code in (302, 403)
