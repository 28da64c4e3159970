"""Two partners register the same customer at the same moment: exactly one wins (PostgreSQL,
real threads, each on its own connection and transaction)."""

import threading

import pytest
from django.db import connection

from cosell.models import DealRegistration, Status
from cosell.services import registrations as svc
from tests.factories.cosell import deal_data
from tests.factories.partners import owner_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CUSTOMERS = [
    ("深圳市腾讯计算机系统有限公司", "騰訊控股有限公司"),
    ("北京字节跳动科技有限公司", "字节跳动"),
    ("阿里巴巴(中国)网络技术有限公司", "阿里巴巴集团"),
]


def test_concurrent_registrations_of_one_customer_have_exactly_one_winner(partner_a, partner_b, listing):
    assert connection.vendor == "postgresql"
    for name_a, name_b in CUSTOMERS:
        regs = [
            svc.create_registration(partner=p, user=owner_of(p), data=deal_data(listing, customer_name=name))
            for p, name in ((partner_a, name_a), (partner_b, name_b))
        ]
        barrier = threading.Barrier(len(regs))
        errors = []

        def run(reg, barrier=barrier, errors=errors):
            try:
                barrier.wait(timeout=10)
                svc.submit(registration=reg, user=None)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(reg,)) for reg in regs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors
        states = sorted(
            DealRegistration.objects.filter(pk__in=[r.pk for r in regs]).values_list(
                "status", "conflict_hold"
            )
        )
        assert states == [(Status.APPROVED, False), (Status.IN_REVIEW, True)], (name_a, states)
