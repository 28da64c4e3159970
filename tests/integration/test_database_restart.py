"""PostgreSQL dropping every connection under load (what a restart does to the site): requests
writing data answer 503 with Retry-After while their connection is cut (never 500), nothing is
half-written (a lead is saved with its first message or not at all), and the site recovers as
soon as the database answers again.

The test cuts this test database's connections with ``pg_terminate_backend`` from a connection of
its own while four threads post enquiries (the other xdist worker's database and the cluster itself
are left alone). A cut that lands between two requests meets nobody (each request opens its own
connection), so the cutter makes sure some land inside one: it locks the leads table, waits until a
request is blocked writing its lead, then terminates every connection and lets go of the lock; the
requests that follow before the next cut are served."""

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
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    lock = f"LOCK TABLE {Lead._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"  # blocks inserts, not reads
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"],
        autocommit=True,
    ) as admin:  # fmt: skip
        while not stop.is_set():
            with admin.transaction():
                admin.execute(lock)
                deadline = time.monotonic() + 5
                while not stop.is_set() and time.monotonic() < deadline:
                    waiting = admin.execute(
                        f"SELECT count(*) {others} AND wait_event_type = 'Lock'"
                    ).fetchone()[0]
                    if waiting:
                        break
                    time.sleep(0.01)
                rows = admin.execute(f"SELECT pg_terminate_backend(pid) {others}").fetchall()
            cuts.append(len(rows))
            stop.wait(0.3)  # requests in between are served


def test_pages_answer_503_while_postgresql_drops_connections_and_recover():
    assert PartnersIndexPage.objects.exists()
    provisioned_partner(
        owner=UserFactory(email="owner@partner-r.example.cn"), organisation__slug="partner-r", kind="service"
    )
    url = reverse("demand:enquire") + "?partner=partner-r"
    statuses: list[int] = []

    def post(thread: int):
        client = Client(raise_request_exception=False)
        for i in range(POSTS):
            n = thread * 100 + i
            response = client.post(url, enquiry(n), REMOTE_ADDR=f"10.9.{thread}.{i}")
            statuses.append(response.status_code)
            if response.status_code == 503:
                assert response["Retry-After"]
            close_old_connections()  # what the WSGI handler does at the end of a request
        connections.close_all()

    stop, cuts = threading.Event(), []
    cutter = threading.Thread(target=cut_connections, args=(stop, cuts))
    cutter.start()
    try:
        workers = [threading.Thread(target=post, args=(t,)) for t in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=300)
    finally:
        stop.set()
        cutter.join(timeout=30)
    connection.close()

    assert len(statuses) == THREADS * POSTS
    assert set(statuses) <= {200, 503}, statuses  # never a 500
    assert 503 in statuses and sum(cuts) > 0  # the fault was real
    assert 200 in statuses  # and requests between cuts were served
    # Nothing half-written: every lead has its first message, every message its lead.
    leads = Lead.objects.filter(partner__organisation__slug="partner-r")
    assert leads.count() >= statuses.count(200)
    assert LeadMessage.objects.filter(lead__in=leads).count() == leads.count()
    # Recovered: the next request is served.
    response = Client().post(url, enquiry(999), REMOTE_ADDR="10.9.99.1")
    assert response.status_code == 200
    assert Lead.objects.filter(email="guest999@example.cn").exists()
