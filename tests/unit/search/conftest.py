"""Fixtures for the search tests: the engine under test (database always; Elasticsearch only when
``ELASTICSEARCH_URL`` is set), the search URLs, receivers connected, and a small bilingual
catalogue published through Wagtail."""

from __future__ import annotations

import copy
import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from catalog.models import PricingModel
from partners.models import PartnerKind
from tests.factories.partners import IndustryFactory, RegionFactory
from tests.factories.search import (
    make_category,
    priced_plan,
    publish_listing,
    search_partner,
    set_rating,
    set_subscriptions,
)

ES_SKIP_REASON = "ELASTICSEARCH_URL is not set: no Elasticsearch server is reachable here"


@pytest.fixture(autouse=True)
def _fresh_page_micro_cache():
    """Each worker's 2-second page micro-cache outlives ``cache.clear()``; tests start empty."""
    from marketplace.views import search_cache

    search_cache._local.clear()
    yield
    search_cache._local.clear()


@pytest.fixture(autouse=True)
def _search_receivers(db):
    """The receivers ``CatalogConfig.ready()`` connects (idempotent if it already has)."""
    from catalog.search.apps_ready import connect

    connect()


@pytest.fixture
def search_urls(settings):
    """``/search/…`` routed (through the project URLs once they include the search URLs)."""
    with translation.override("zh-hans"):
        try:
            reverse("search")
        except NoReverseMatch:
            settings.ROOT_URLCONF = "tests.unit.search.search_urlconf"
        return reverse("search")


def _reset_engines():
    import catalog.search as search_module

    search_module._engines.clear()
    try:
        from catalog.search import elastic

        elastic.reset()
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture(params=["database", "elasticsearch"])
def engine(request, settings):
    """The engine under test; every test using it runs once per engine."""
    if request.param == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL", "")
        if not url:
            pytest.skip(ES_SKIP_REASON)
        settings.ELASTICSEARCH_URL = url
        settings.SEARCH_INDEX_PREFIX = f"symbio-test-{uuid.uuid4().hex[:10]}"
    settings.SEARCH_ENGINE = request.param
    _reset_engines()
    from catalog.search import get_engine

    current = get_engine()
    assert current.name == request.param
    yield current
    if request.param == "elasticsearch":
        current.delete_everything()
    settings.SEARCH_ENGINE = "database"
    _reset_engines()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): …`` runs the after-commit callbacks (index tasks) registered inside,
    as the commit of a real request would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


class Catalogue:
    """Handles on the listings, partners and taxonomy the fixture made."""

    def __init__(self, **items):
        self.__dict__.update(items)


@pytest.fixture(scope="module")
def _database_catalogue(django_db_setup, django_db_blocker):
    """The catalogue for the database engine, built once per test module, as Django's
    ``TestCase.setUpTestData`` would: inside a transaction that is rolled back after the
    module's last test; each test runs in a savepoint within it, so what a test changes is
    undone before the next one. The tests using it run on one xdist worker (tests/conftest.py).

    Not when Elasticsearch is configured: its tests would find these rows beside their own, so
    then every test builds its catalogue as before (None here).
    """
    from catalog.search.apps_ready import connect

    if os.environ.get("ELASTICSEARCH_URL", ""):
        yield None
        return
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(SEARCH_ENGINE="database"), translation.override(django_settings.LANGUAGE_CODE):
            _reset_engines()
            connect()
            from catalog.search import get_engine

            with TestCase.captureOnCommitCallbacks(execute=True):
                data = _catalogue(get_engine())
        _reset_engines()
        connection.check_constraints()  # once, as a commit would (accounts.helpers.built_once_per_module)
        yield data
        transaction.set_rollback(True)


@pytest.fixture
def catalogue(_database_catalogue, engine, committed):
    """A small bilingual catalogue, published through Wagtail (so indexed by the receivers).

    Taxonomy: finance › finance-expenses, hr, crm; industries retail / manufacturing; regions
    east / north. Partners: ISV "registered" (rank 0), ISV "premier" (rank 3), a service partner.

    For the database engine the rows come from ``_database_catalogue`` (built once per module);
    each test gets its own copies of the model instances, as ``setUpTestData`` gives them.
    """
    if _database_catalogue is not None:
        items = {k: copy.deepcopy(v) for k, v in vars(_database_catalogue).items() if k != "engine"}
        return Catalogue(engine=engine, **items)
    with committed():
        return _catalogue(engine)


def _catalogue(engine):
    finance = make_category("finance", "财务管理", "Finance", position=1)
    expenses = make_category("finance-expenses", "费用报销", "Expense management", parent=finance)
    hr = make_category("hr", "人力资源", "HR", position=2)
    crm = make_category("crm", "客户关系", "CRM & sales", position=3)
    retail = IndustryFactory(slug="retail", name="零售", name_en="Retail")
    manufacturing = IndustryFactory(slug="manufacturing", name="制造", name_en="Manufacturing")
    east = RegionFactory(code="east", name="华东", name_en="East China")
    north = RegionFactory(code="north", name="华北", name_en="North China")

    basic = search_partner(kind=PartnerKind.ISV, rank=0, name="基础软件", name_en="Basic Soft")
    premier = search_partner(kind=PartnerKind.ISV, rank=3, name="顶尖科技", name_en="Premier Tech")
    service = search_partner(kind=PartnerKind.SERVICE, rank=1, name="服务伙伴", name_en="Service Partner")

    invoice = publish_listing(
        basic,
        title="发票管家",
        title_en="Invoice Butler",
        tagline="电子发票一站式管理",
        tagline_en="All your e-invoices in one place",
        body="支持电子发票自动验真、归档与报销对接。",
        body_en="Verify, archive and reconcile e-invoices automatically.",
        categories=[expenses],
        industries=[retail],
        regions=[east],
        plans=[priced_plan(PricingModel.FREE_TRIAL, trial_days=14), priced_plan(cny="199", usd="29")],
        tags=["发票", "invoice"],
    )
    ledger = publish_listing(
        premier,
        title="总账专家",
        title_en="Ledger Pro",
        tagline="多组织核算与合并报表",
        tagline_en="Multi-entity accounting and consolidation",
        body="与 Invoice Butler 的导出文件兼容。适合集团企业。",
        body_en="Imports files exported by Invoice Butler. Built for groups of companies.",
        categories=[finance],
        industries=[manufacturing],
        regions=[north],
        plans=[priced_plan(cny="999", usd="139")],
        deployment="hybrid",
    )
    travel = publish_listing(
        premier,
        title="差旅通",
        title_en="Trip Desk",
        tagline="出行预订与管控",
        tagline_en="Business travel booking and control",
        body="我们的系统让员工出差审批和费用报销流程更快，数据库存储安全可靠。",
        body_en="Approvals and expense claims for business trips, faster.",
        categories=[expenses],
        industries=[retail, manufacturing],
        regions=[east, north],
        plans=[priced_plan(PricingModel.FREE)],
        listing_type="integration",
    )
    payroll = publish_listing(
        basic,
        title="薪资助手",
        title_en="Payroll Pilot",
        tagline="薪资核算与个税申报",
        tagline_en="Payroll and income tax in minutes",
        body="按月自动计算工资、社保与个税。",
        body_en="Monthly salary, social insurance and income tax, calculated for you.",
        categories=[hr],
        industries=[retail],
        regions=[east],
        plans=[priced_plan(PricingModel.PER_SEAT, cny="20", usd="3")],
        tags=["payroll"],
    )
    stuffed_body = " ".join(["payroll"] * 30 + ["best", "cheap", "fast", "salary", "hr", "tool"] * 2)
    stuffed = publish_listing(
        premier,
        title="超级人事",
        title_en="Payroll Mega Suite",
        tagline="人事薪资",
        tagline_en="payroll payroll payroll",
        body="薪资 薪资 薪资 薪资",
        body_en=stuffed_body,
        categories=[hr],
        industries=[manufacturing],
        regions=[north],
        plans=[priced_plan(cny="10", usd="2")],
        tags=[f"payroll-{i}" for i in range(24)],
    )
    crm_app = publish_listing(
        service,
        title="客户通",
        title_en="Customer Hub",
        tagline="销售线索与商机管理",
        tagline_en="Leads and opportunities",
        body="实施服务包：三周上线销售自动化。",
        body_en="Implementation package: sales automation live in three weeks.",
        categories=[crm],
        industries=[retail],
        regions=[north],
        plans=[priced_plan(PricingModel.CONTACT_SALES)],
        listing_type="service_package",
        deployment="on_premises",
    )
    # Quality signals: the stuffed listing and the ledger look "better" than the honest ones.
    set_rating(stuffed, "4.9", 300)
    set_subscriptions(stuffed, 900)
    set_rating(ledger, "4.8", 200)
    set_subscriptions(ledger, 500)
    set_rating(invoice, "5.0", 1)
    set_rating(payroll, "4.2", 12)
    return Catalogue(
        engine=engine,
        finance=finance,
        expenses=expenses,
        hr=hr,
        crm=crm,
        retail=retail,
        manufacturing=manufacturing,
        east=east,
        north=north,
        basic=basic,
        premier=premier,
        service=service,
        invoice=invoice,
        ledger=ledger,
        travel=travel,
        payroll=payroll,
        stuffed=stuffed,
        crm_app=crm_app,
        listings=[invoice, ledger, travel, payroll, stuffed, crm_app],
    )


@pytest.fixture
def es_cluster(settings):
    """A recorded Elasticsearch 8 (``tests/unit/search/recorded_es.py``) behind the real client:
    ``settings.SEARCH_ENGINE`` is Elasticsearch and every request is recorded and answered."""
    from tests.unit.search import recorded_es

    cluster = recorded_es.Cluster()
    recorded_es.CURRENT["cluster"] = cluster
    settings.ELASTICSEARCH_URL = "http://es.recorded:9200"
    settings.ELASTICSEARCH_NODE_CLASS = "tests.unit.search.recorded_es.RecordedNode"
    settings.SEARCH_INDEX_PREFIX = "symbio"
    settings.SEARCH_ENGINE = "elasticsearch"
    _reset_engines()
    yield cluster
    recorded_es.CURRENT["cluster"] = None
    settings.SEARCH_ENGINE = "database"
    _reset_engines()
