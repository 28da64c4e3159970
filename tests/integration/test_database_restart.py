"""PostgreSQL dropping every connection under load (what a restart does to the site): requests
writing data answer 503 with Retry-After while their connection is cut (never 500), nothing is
half-written (a lead is saved with its first message or not at all), and the site recovers as
soon as the database answers again.

The test cuts this test database's connections with ``pg_terminate_backend`` from a connection of
its own, every 50 ms, while four threads post enquiries (the other xdist worker's database and the
cluster itself are left alone)."""

import threading
import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse

from demand.models import Lead, LeadMessage
from partners.models import PartnersIndexPage
from tests.factories.accounts import UserFactory
from tests.factories.partners import provisioned_partner

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS, POSTS = 4, 12


def enquiry(n: int) -> dict:
    return {
        "topic": "demo",
        "contact_name": f"访客 {n}",
        "email": f"guest{n}@example.cn",
        "phone": "",
        "company": "顾客公司",
        "message": f"第 {n} 条咨询。",
        "preferred_contact": "email",
        "consent": "on",
        "website": "",
    }


def cut_connections(stop: threading.Event, cuts: list) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"],
        autocommit=True,
    ) as admin:  # fmt: skip
        while not stop.is_set():
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
            cuts.append(len(rows))
            time.sleep(0.05)


def test_pages_answer_503_while_postgresql_drops_connections_and_recover():
    assert PartnersIndexPage.objects.exists()
    provisioned_partner(
        owner=UserFactory(email="owner@partner-r.example.cn"), organisation__slug="partner-r", kind="service"
    )
    url = reverse("demand:enquire") + "?partner=partner-r"
    statuses: list[int] = []

    def post(thread: int, round_: int):
        client = Client(raise_request_exception=False)
        for i in range(POSTS):
            n = round_ * 1000 + thread * 100 + i
            response = client.post(url, enquiry(n), REMOTE_ADDR=f"10.{9 + round_}.{thread}.{i}")
            statuses.append(response.status_code)
            if response.status_code == 503:
                assert response["Retry-After"]
            close_old_connections()  # what the WSGI handler does at the end of a request
        connections.close_all()

    stop, cuts = threading.Event(), []
    cutter = threading.Thread(target=cut_connections, args=(stop, cuts))
    cutter.start()
    rounds = 0
    try:
        # A cut lands between two requests as often as inside one: on a busy machine a round may
        # see no 503 at all, so rounds go on (at most five) until one request met the fault.
        while rounds < 5 and 503 not in statuses:
            workers = [threading.Thread(target=post, args=(t, rounds)) for t in range(THREADS)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=300)
            rounds += 1
    finally:
        stop.set()
        cutter.join(timeout=30)
    connection.close()

    assert len(statuses) == THREADS * POSTS * rounds
    assert set(statuses) <= {200, 503}, statuses  # never a 500
    assert 503 in statuses and sum(cuts) > 0  # the fault was real
    # Nothing half-written: every lead has its first message, every message its lead.
    leads = Lead.objects.filter(partner__organisation__slug="partner-r")
    assert leads.count() >= statuses.count(200)
    assert LeadMessage.objects.filter(lead__in=leads).count() == leads.count()
    # Recovered: the next request is served.
    response = Client().post(url, enquiry(999), REMOTE_ADDR="10.9.99.1")
    assert response.status_code == 200
    assert Lead.objects.filter(email="guest999@example.cn").exists()
