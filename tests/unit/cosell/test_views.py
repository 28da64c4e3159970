"""The partner's screens and the staff queue: cross-partner 404s, the held partner never sees
who holds the customer, the register form's field errors, CSV import (per-row errors, all or
nothing) and export (formula cells escaped)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import JobStatus
from cosell.models import DealRegistration, RegistrationImport, Status
from cosell.services import imports
from cosell.services import registrations as svc
from tests.factories.accounts import UserFactory
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of
from tests.unit.accounts.helpers import signed_in

pytestmark = pytest.mark.django_db

BASE = "/en/partners/console/deals/"


def submitted(partner, listing, **overrides):
    reg = svc.create_registration(
        partner=partner, user=owner_of(partner), data=deal_data(listing, **overrides)
    )
    return svc.submit(registration=reg, user=owner_of(partner))


def form_post(listing, **overrides):
    data = deal_data(listing, **overrides)
    data["listings"] = [p.pk for p in data["listings"]]
    data["expected_close"] = data["expected_close"].isoformat()
    return data


def test_register_and_submit_from_the_form(client, partner_a, listing):
    response = signed_in(client, owner_of(partner_a)).post(
        BASE + "new/", {**form_post(listing), "submit": "1"}
    )
    reg = DealRegistration.objects.get(partner=partner_a)
    assert response.status_code == 302 and response["Location"].endswith(f"/{reg.public_id}/")
    assert reg.status == Status.APPROVED
    page = client.get(BASE).content.decode()
    assert "深圳市腾讯计算机系统有限公司" in page


def test_invalid_credit_code_is_a_field_error_saying_so(client, partner_a, listing):
    response = signed_in(client, owner_of(partner_a)).post(
        BASE + "new/", form_post(listing, customer_uscc="911100008021004330")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["customer_uscc"] == [
        "This is not a valid unified social credit code (18 characters, with a check digit)."
    ]
    assert 'id="id_customer_uscc_error"' in response.content.decode()
    assert not DealRegistration.objects.exists()


def test_expected_close_beyond_180_days_is_refused(client, partner_a, listing):
    far = (timezone.localdate() + timedelta(days=200)).isoformat()
    response = signed_in(client, owner_of(partner_a)).post(
        BASE + "new/", {**form_post(listing), "expected_close": far}
    )
    assert response.status_code == 400 and "180 days" in response.content.decode()


def test_another_partners_registration_is_404(client, partner_a, partner_b, listing):
    reg = submitted(partner_a, listing)
    signed_in(client, owner_of(partner_b))
    for suffix in ("", "edit/"):
        assert client.get(f"{BASE}{reg.public_id}/{suffix}").status_code == 404
    for suffix in ("submit/", "close/won/", "extension/"):
        assert client.post(f"{BASE}{reg.public_id}/{suffix}", {"reason": "x"}).status_code == 404
    reg.refresh_from_db()
    assert reg.status == Status.APPROVED
    assert "腾讯" not in client.get(BASE).content.decode()
    assert "腾讯" not in client.get(BASE + "export.csv").content.decode("utf-8")


def test_a_user_without_a_partner_gets_404(client, listing):
    assert signed_in(client, UserFactory()).get(BASE).status_code == 404


def test_held_partner_is_told_only_that_a_registration_exists(client, partner_a, partner_b, listing):
    submitted(partner_a, listing, customer_domain="tencent.com")
    response = signed_in(client, owner_of(partner_b)).post(
        BASE + "new/",
        {
            **form_post(
                listing,
                customer_name="",
                customer_name_en="Tencent Holdings",
                customer_domain="www.tencent.com",
            ),
            "submit": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    held = DealRegistration.objects.get(partner=partner_b)
    assert held.conflict_hold
    assert "An existing registration covers this customer" in page
    for secret in ("Alpha Channel", "甲渠道科技", "alpha-channel", "owner@channel-a", "深圳市腾讯"):
        assert secret not in page
    detail = client.get(f"{BASE}{held.public_id}/").content.decode()
    assert 'id="held-message"' in detail
    assert "Alpha Channel" not in detail and "甲渠道科技" not in detail


def test_staff_queue_shows_both_sides_and_records_the_decision(
    client, partner_a, partner_b, listing, programme_manager
):
    first = submitted(partner_a, listing)
    held = submitted(partner_b, listing, customer_name="騰訊")
    signed_in(client, programme_manager)
    queue = client.get("/admin/cosell_admin/")
    assert queue.status_code == 200 and "騰訊" in queue.content.decode()
    page = client.get(f"/admin/cosell_admin/{held.pk}/").content.decode()
    assert "Alpha Channel" in page or "甲渠道科技" in page
    response = client.post(
        f"/admin/cosell_admin/{held.pk}/resolve/", {"resolution": "transfer", "reason": "客户指定乙方"}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    first.refresh_from_db()
    assert held.status == Status.APPROVED and first.reject_reason == "transferred"
    # The first partner sees its registration rejected, without the reason naming anyone.
    detail = signed_in(client, owner_of(partner_a)).get(f"{BASE}{first.public_id}/").content.decode()
    assert "Transferred to another partner" in detail and "乙方" not in detail and "Bravo" not in detail


def test_partners_cannot_reach_the_staff_queue(client, partner_a):
    response = signed_in(client, owner_of(partner_a)).get("/admin/cosell_admin/")
    assert response.status_code in (302, 403)


# --- CSV import and export -------------------------------------------------------------------------
HEADER = (
    "customer_name,customer_name_en,customer_uscc,contact_name,listings,"
    "estimated_value,currency,expected_close,stage\n"
)


def upload(client, body: str):
    file = SimpleUploadedFile("deals.csv", body.encode("utf-8"), content_type="text/csv")
    return client.post(BASE + "import/upload/", {"file": file})


def test_csv_import_runs_as_a_task_and_creates_drafts(
    client, partner_a, partner_b, listing, django_capture_on_commit_callbacks
):
    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = (
        HEADER
        + "".join(f"星河零售{i},,,张三,{listing.slug},50000,CNY,{close},qualified\n" for i in range(11))
        + f",Blue Whale Logistics,,李四,{listing.slug},8000,USD,{close},prospect\n"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(signed_in(client, owner_of(partner_a)), body)
    job = RegistrationImport.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/import/{job.public_id}/")
    # Queued, not run yet: the job page polls its progress fragment.
    assert job.status == JobStatus.QUEUED and job.total == 12
    page = client.get(response.url).content.decode()
    assert "0 of 12 rows" in page and f"/import/{job.public_id}/progress/" in page
    assert not DealRegistration.objects.exists()

    # While the task runs, the fragment shows the rows it reported so far (through the cache,
    # since its rows are written in one transaction).
    job.status = JobStatus.RUNNING
    job.save()
    cache.set(imports._progress_key(job.pk), 10)
    assert "10 of 12 rows" in client.get(f"{BASE}import/{job.public_id}/progress/").content.decode()
    job.status = JobStatus.QUEUED
    job.save()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.created_count == 12 and job.processed == 12
    regs = DealRegistration.objects.filter(partner=partner_a)
    assert regs.count() == 12 and set(regs.values_list("status", flat=True)) == {Status.DRAFT}
    fragment = client.get(f"{BASE}import/{job.public_id}/progress/").content.decode()
    assert "12 registrations imported as drafts" in fragment and "hx-trigger" not in fragment
    # Another partner's import job: 404.
    signed_in(client, owner_of(partner_b))
    assert client.get(f"{BASE}import/{job.public_id}/").status_code == 404
    assert client.get(f"{BASE}import/{job.public_id}/progress/").status_code == 404


def test_csv_import_reports_progress_every_ten_rows_and_at_the_end(partner_a, listing):
    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = HEADER + "".join(f"公司{i},,,张三,{listing.slug},1,CNY,{close},prospect\n" for i in range(23))
    seen = []
    imports.import_csv(partner=partner_a, user=None, content=body.encode(), progress=seen.append)
    assert seen == [10, 20, 23]


def test_csv_import_reports_every_bad_row_and_writes_nothing(client, partner_a, listing):
    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    far = (timezone.localdate() + timedelta(days=365)).isoformat()
    body = (
        HEADER
        + f"好公司,,,张三,{listing.slug},50000,CNY,{close},qualified\n"
        + f"坏代码公司,,911100008021004330,李四,{listing.slug},100,CNY,{close},prospect\n"
        + f"太远公司,,,王五,no-such-listing,abc,CNY,{far},prospect\n"
    )
    job = imports.start_import(
        partner=partner_a, user=owner_of(partner_a), filename="deals.csv", content=body.encode()
    )
    job = imports.run_import(job_id=job.pk)
    assert job.status == JobStatus.FAILED and job.created_count == 0
    errors = job.errors
    assert {e["line"] for e in errors} == {3, 4}
    fields = {(e["line"], e["field"]) for e in errors}
    assert {(3, "customer_uscc"), (4, "listings"), (4, "estimated_value")} <= fields
    page = signed_in(client, owner_of(partner_a)).get(f"{BASE}import/{job.public_id}/").content.decode()
    assert "Row 3" in page and "Nothing was imported" in page
    assert not DealRegistration.objects.exists()


def test_csv_import_refuses_more_than_1000_rows_at_upload(client, partner_a, listing):
    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = HEADER + "".join(f"公司{i},,,张三,{listing.slug},1,CNY,{close},prospect\n" for i in range(1001))
    response = upload(signed_in(client, owner_of(partner_a)), body)
    assert response.status_code == 400 and "more than 1000 rows" in response.content.decode()
    assert not DealRegistration.objects.exists() and not RegistrationImport.objects.exists()


def test_export_escapes_formula_cells(client, partner_a, listing):
    submitted(partner_a, listing, customer_name_en='=HYPERLINK("http://evil")', notes="+1 call")
    body = signed_in(client, owner_of(partner_a)).get(BASE + "export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'+1 call" in body
