"""Open claim: concurrent claims never exceed K (threads against PostgreSQL)."""

import threading

import pytest
from django.db import connection

from core.exceptions import NotAllowed
from demand.models import Invitation, InvitationSource
from demand.services import requirements as services
from partners.models import PartnerKind
from tests.factories.accounts import OrganisationFactory
from tests.factories.demand import RequirementFactory
from tests.factories.partners import PartnerFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_never_exceed_the_limit():
    assert connection.vendor == "postgresql"
    requirement = RequirementFactory(
        customer_organisation=OrganisationFactory(), state="open", mode="open_claim", claim_limit=5
    )
    partners = [PartnerFactory(kind=PartnerKind.SERVICE) for _ in range(12)]
    barrier = threading.Barrier(len(partners))
    results = []
    lock = threading.Lock()

    def claim(partner):
        try:
            barrier.wait()
            services.claim(requirement=requirement, partner=partner)
            outcome = "ok"
        except NotAllowed:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=claim, args=(p,)) for p in partners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count("ok") == 5
    assert results.count("refused") == 7
    assert Invitation.objects.filter(requirement=requirement, source=InvitationSource.CLAIMED).count() == 5
