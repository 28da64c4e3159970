"""CSV import of certified people: row report, idempotence, row atomicity, file checks."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from partners.models import CertifiedPerson, ImportJob, PartnerFact, PartnerKind
from partners.services import certifications as service
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory
from tests.factories.programme import CertificationFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = """name,email,certification,issued_on,expires_on
李娜,lina@svc.example.cn,impl-pro,2025-03-01,
王强,wangqiang@svc.example.cn,Solution Architect Expert,2025-06-15,2028-06-15
,nobody@svc.example.cn,impl-pro,2025-01-01,
赵敏,not-an-email,impl-pro,2025-01-01,
陈杰,chenjie@svc.example.cn,underwater-basket-weaving,2025-01-01,
孙丽,sunli@svc.example.cn,impl-pro,2025/01/01,
周涛,zhoutao@svc.example.cn,impl-pro,2025-05-01,2024-05-01

吴芳,wufang@svc.example.cn,isv-only,2025-05-01,
"""


@pytest.fixture
def partner():
    CertificationFactory(
        slug="impl-pro", name="实施顾问", name_en="Implementation Professional", validity_months=24
    )
    CertificationFactory(
        slug="architect", name="解决方案架构师", name_en="Solution Architect Expert", validity_months=36
    )
    CertificationFactory(slug="isv-only", partner_kinds=[PartnerKind.ISV])
    return PartnerFactory(kind=PartnerKind.SERVICE)


def reasons(report):
    return [(e["line"], e["reason"] % e["params"] if e["params"] else e["reason"]) for e in report.errors]


def test_good_rows_are_imported_and_bad_rows_reported_with_line_and_reason(partner):
    report = service.import_certified_people(partner=partner, text=GOOD_AND_BAD)

    assert (report.created, report.updated) == (2, 0)
    assert reasons(report) == [
        (4, "missing field: name"),
        (5, "bad email: not-an-email"),
        (6, "unknown certification: underwater-basket-weaving"),
        (7, "bad date in issued_on: 2025/01/01 (use YYYY-MM-DD)"),
        (8, "expires_on is before issued_on"),
        (10, "certification isv-only does not apply to this kind of partner"),
    ]
    people = {p.email: p for p in CertifiedPerson.objects.filter(partner=partner)}
    assert set(people) == {"lina@svc.example.cn", "wangqiang@svc.example.cn"}
    assert people["lina@svc.example.cn"].expires_on == date(2027, 3, 1)  # from the validity
    assert people["wangqiang@svc.example.cn"].certification.slug == "architect"  # found by English name
    assert PartnerFact.objects.filter(partner=partner, metric__slug="certified_people").exists()


def test_running_the_same_file_twice_creates_no_duplicates(partner):
    service.import_certified_people(partner=partner, text=GOOD_AND_BAD)
    changed = GOOD_AND_BAD.replace("李娜,lina@svc.example.cn", "李娜娜,LINA@svc.example.cn")

    report = service.import_certified_people(partner=partner, text=changed)

    assert (report.created, report.updated) == (0, 2)
    assert CertifiedPerson.objects.filter(partner=partner).count() == 2
    assert CertifiedPerson.objects.get(email="lina@svc.example.cn").name == "李娜娜"


def test_a_row_that_fails_mid_way_leaves_nothing_of_itself(partner, monkeypatch):
    original_save = CertifiedPerson.save

    def save_then_fail(self, *args, **kwargs):
        original_save(self, *args, **kwargs)  # the row is written…
        if self.email == "wangqiang@svc.example.cn":
            raise DatabaseError("disk full")  # …and then the database gives up

    monkeypatch.setattr(CertifiedPerson, "save", save_then_fail)

    report = service.import_certified_people(partner=partner, text=GOOD_AND_BAD)

    assert report.created == 1
    assert (3, "could not be saved: disk full") in reasons(report)
    assert list(CertifiedPerson.objects.values_list("email", flat=True)) == ["lina@svc.example.cn"]


def test_a_byte_order_mark_is_tolerated():
    text = service.read_upload(
        SimpleUploadedFile(
            "people.csv",
            "\ufeffname,email,certification,issued_on\n李娜,l@x.cn,impl-pro,2025-01-01\n".encode(),
        )
    )
    assert text.startswith("name,")


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("people.xlsx", b"name,email,certification,issued_on\n", service.FILE_NOT_CSV),
        (
            "people.csv",
            b"name,email,certification,issued_on\n" + b"x" * (2 * 1024 * 1024),
            service.FILE_TOO_LARGE,
        ),
        ("people.csv", b"", service.FILE_EMPTY),
        (
            "people.csv",
            "name,email,certification,issued_on\n李,l@x.cn,a,2025-01-01\n".encode("gb18030"),
            service.FILE_NOT_TEXT,
        ),
        ("people.csv", b"\x89PNG\r\n\x1a\n\x00\x00", service.FILE_NOT_TEXT),
        (
            "people.csv",
            b"name,email\nA,a@x.cn\n",
            service.FILE_MISSING_COLUMNS % {"columns": "certification, issued_on"},
        ),
        ("people.csv", b"name,email,certification,issued_on\n", service.FILE_NO_ROWS),
    ],
)
def test_bad_files_are_refused_and_nothing_is_queued(partner, name, body, message):
    with pytest.raises(ValidationError) as excinfo:
        service.create_import_job(partner=partner, user=UserFactory(), upload=SimpleUploadedFile(name, body))
    assert str(message) in " ".join(excinfo.value.messages)
    assert not ImportJob.objects.exists()


def test_an_import_job_runs_as_a_task_and_records_its_report(partner, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("people.csv", ("\ufeff" + GOOD_AND_BAD).encode("utf-8"))

    with django_capture_on_commit_callbacks(execute=True):
        job = service.create_import_job(partner=partner, user=UserFactory(), upload=upload)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.percent == 100
    assert (job.total_rows, job.processed_rows, job.created_count, len(job.errors)) == (8, 8, 2, 6)
    assert job.errors[0] == {"line": 4, "reason": "missing field: %(field)s", "params": {"field": "name"}}
