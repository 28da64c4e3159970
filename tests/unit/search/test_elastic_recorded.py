"""The Elasticsearch engine against a *recorded* Elasticsearch 8 (no server can run here).

Every test in this module is recorded: the engine's real client sends its real requests to
``tests/unit/search/recorded_es.py`` (an ``elastic_transport`` node), which records them and
replays the answers the Elasticsearch 8 reference documents — including the 404 "alias missing",
``index_not_found_exception``, ``resource_already_exists_exception`` and the clause-limit 400.
The request bodies are compared with JSON snapshots in ``snapshots/elastic/`` (regenerate with
``UPDATE_ES_SNAPSHOTS=1`` and review the diff). What a real cluster *does* with the bodies is
covered by the behavioural tests, which run wherever ``ELASTICSEARCH_URL`` is set.

One module because every test shares the recorded transport, its fixtures and the snapshot
directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout

from catalog.search import get_engine, search, suggest
from catalog.search.base import make_request
from catalog.search.documents import ListingData
from catalog.search.elastic import connection, lifecycle, queries
from catalog.search.ranking import Signals
from tests.unit.search import recorded_es
from tests.unit.search.recorded_es import search_answer, too_many_clauses

pytestmark = pytest.mark.django_db

SNAPSHOTS = Path(__file__).parent / "snapshots" / "elastic"
ALIAS = "symbio-listings"


def assert_snapshot(name: str, data) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_ES_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_ES_SNAPSHOTS=1 and commit it"
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8")), (
        f"{name} differs from its snapshot"
    )


def listing_data(listing_id=7, **overrides) -> ListingData:
    """A fixed ``ListingData`` (snapshots must not depend on the clock or the database)."""
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    values = dict(  # noqa: C408 - reads like the dataclass
        listing_id=listing_id,
        partner_id=3,
        title="发票管家",
        title_en="Invoice Butler",
        tagline="电子发票一站式管理",
        tagline_en="All your e-invoices in one place",
        body="支持电子发票自动验真、归档与报销对接。",
        body_en="Verify, archive and reconcile e-invoices automatically.",
        partner_name="基础软件",
        partner_name_en="Basic Soft",
        url="/p/basic/invoice/",
        url_en="/en/p/basic/invoice/",
        tier_slug="gold",
        tier_name="金牌",
        tier_name_en="Gold",
        tier_colour="#c90",
        tier_rank=2,
        partner_kind="isv",
        listing_type="saas",
        deployment="cloud",
        categories=["finance", "expenses"],
        category_names=["财务", "Finance", "费用", "Expenses"],
        industries=["retail"],
        industry_names=["零售", "Retail"],
        regions=["east"],
        pricing_models=["free_trial"],
        has_free_trial=True,
        tags=["发票", "invoice"],
        languages=["zh-hans", "en"],
        rating_average=4.5,
        rating_count=12,
        bayesian_rating=3.9,
        active_subscriptions=40,
        published_at=when,
        last_updated_at=when,
        min_price_cny=Decimal("199"),
        min_price_usd=Decimal("29"),
        signals=Signals(rating=0.7, subscriptions=0.5, tier=0.5, freshness=0.9),
        quality=0.6,
        stuffing_penalty=0.0,
        boost=1.6,
    )
    values.update(overrides)
    return ListingData(**values)


def hit(listing_id, score=1.0, **source):
    return {
        "_index": f"{ALIAS}-initial",
        "_id": str(listing_id),
        "_score": score,
        "_source": {
            "listing_id": listing_id,
            "title": f"标题{listing_id}",
            "title_en": f"Title {listing_id}",
            **source,
        },
    }


# --- lifecycle ---------------------------------------------------------------------------------
def test_ensure_index_on_a_fresh_cluster_creates_the_index_with_its_alias_once(es_cluster):
    """Recorded: HEAD alias → 404, then one PUT that creates the index *and* the alias."""
    get_engine().ensure_index()
    get_engine().ensure_index()
    assert es_cluster.lines() == [
        f"HEAD /_alias/{ALIAS}",
        f"PUT /{ALIAS}-initial",
        f"HEAD /_alias/{ALIAS}",
    ]
    assert es_cluster.holding_alias(ALIAS) == [f"{ALIAS}-initial"]
    assert_snapshot("create_index", es_cluster.requests[1].shape())


def test_index_settings_come_from_settings(es_cluster, settings):
    settings.ELASTICSEARCH_SHARDS = 3
    settings.ELASTICSEARCH_REPLICAS = 2
    get_engine().ensure_index()
    created = es_cluster.requests[1].body["settings"]
    assert created["number_of_shards"] == 3 and created["number_of_replicas"] == 2
    # Every page a request may ask for is inside the window (no silent from + size clamp).
    assert created["max_result_window"] >= 500 * 100


def test_concurrent_ensure_index_attaches_the_alias_to_one_index(es_cluster):
    """Recorded: two workers both see no alias (the answers are held until both asked), both
    create; the loser's documented 400 ``resource_already_exists_exception`` is not an error."""
    barrier = threading.Barrier(2, timeout=5)

    def hold_alias_checks(request):
        if request.method == "HEAD" and request.path == f"/_alias/{ALIAS}" and not es_cluster.indices:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    get_engine().ensure_index()  # builds the client once, outside the threads
    es_cluster.indices.clear()
    es_cluster.requests.clear()
    es_cluster.on_request = hold_alias_checks
    errors = []

    def worker():
        try:
            lifecycle.ensure_index()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert list(es_cluster.indices) == [f"{ALIAS}-initial"]
    assert es_cluster.holding_alias(ALIAS) == [f"{ALIAS}-initial"]
    assert sorted(es_cluster.lines()).count(f"PUT /{ALIAS}-initial") == 2


def test_index_and_remove_write_through_the_alias_in_bulk(es_cluster):
    """Recorded: the bulk bodies (require_alias, so a missing alias never auto-creates an index)."""
    engine = get_engine()
    engine.index([listing_data(7)])
    assert es_cluster.lines() == [
        f"HEAD /_alias/{ALIAS}",
        f"PUT /{ALIAS}-initial",
        f"HEAD /{ALIAS}.rebuild",
        "PUT /_bulk?refresh=wait_for&require_alias=true",
    ]
    assert_snapshot("bulk_index", es_cluster.requests[-1].shape())
    assert {"发票", "票管", "管家", "invoice", "butler"} <= set(
        es_cluster.docs(ALIAS)["7"]["tokens_name"].split()
    )
    es_cluster.requests.clear()
    engine.remove([7, 8])  # 8 was never indexed: its 404 item is no failure
    assert es_cluster.lines()[-1] == "PUT /_bulk?refresh=wait_for&require_alias=true"
    assert_snapshot("bulk_remove", es_cluster.requests[-1].shape())
    assert es_cluster.docs(ALIAS) == {}


def test_bulk_items_rejected_for_a_while_are_retried(es_cluster, monkeypatch):
    """Recorded: item 7 answers 429 ``es_rejected_execution_exception`` once, then is written."""
    monkeypatch.setattr(lifecycle, "BULK_BACKOFF", 0.01)
    es_cluster.bulk_item_failures["7"] = [(429, "es_rejected_execution_exception")]
    get_engine().index([listing_data(7), listing_data(8)])
    bulks = [r for r in es_cluster.requests if r.path == "/_bulk"]
    assert len(bulks) == 2
    assert [line["index"]["_id"] for line in bulks[1].body if "index" in line] == ["7"]
    assert set(es_cluster.docs(ALIAS)) == {"7", "8"}


def test_bulk_items_refused_for_good_are_reported(es_cluster):
    """Recorded: a 400 ``mapper_parsing_exception`` item fails the write, naming the document."""
    es_cluster.bulk_item_failures["8"] = [(400, "mapper_parsing_exception")]
    with pytest.raises(connection.IndexWriteError, match="8: mapper_parsing_exception"):
        get_engine().index([listing_data(7), listing_data(8)])


def test_rebuild_on_a_fresh_cluster(es_cluster):
    """Recorded: journal (lock), new index, bulk, refresh, replay, alias swap, replay, cleanup —
    no ``GET /_alias/<name>`` (whose 404 used to kill the first rebuild), no orphan index."""
    done = get_engine().rebuild(iter([[listing_data(7), listing_data(8)]]), total=2)
    assert done == 2
    assert_snapshot("rebuild_fresh_cluster", [r.line for r in es_cluster.requests])
    assert_snapshot(
        "rebuild_alias_swap", next(r.shape() for r in es_cluster.requests if r.path == "/_aliases")
    )
    (index,) = es_cluster.indices
    assert es_cluster.holding_alias(ALIAS) == [index] and index.startswith(f"{ALIAS}-2")
    assert set(es_cluster.docs(ALIAS)) == {"7", "8"}


def test_rebuild_over_an_existing_alias_swaps_and_drops_the_old_index(es_cluster):
    engine = get_engine()
    engine.index([listing_data(5)])
    assert es_cluster.holding_alias(ALIAS) == [f"{ALIAS}-initial"]
    es_cluster.requests.clear()
    engine.rebuild(iter([[listing_data(7)]]), total=1)
    assert_snapshot("rebuild_existing_alias", [r.line for r in es_cluster.requests])
    (index,) = es_cluster.indices
    assert index != f"{ALIAS}-initial" and es_cluster.holding_alias(ALIAS) == [index]
    assert set(es_cluster.docs(ALIAS)) == {"7"}  # 5 is no longer live: gone with the old index


def test_a_failed_rebuild_leaves_the_old_index_serving_and_no_orphans(es_cluster):
    engine = get_engine()
    engine.index([listing_data(5)])

    def batches():
        yield [listing_data(7)]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(batches(), total=2)
    assert list(es_cluster.indices) == [f"{ALIAS}-initial"]
    assert es_cluster.holding_alias(ALIAS) == [f"{ALIAS}-initial"]
    assert set(es_cluster.docs(ALIAS)) == {"5"}


def test_only_one_rebuild_at_a_time(es_cluster):
    lifecycle.acquire_journal("x")
    with pytest.raises(lifecycle.RebuildRunning):
        get_engine().rebuild(iter([[listing_data(7)]]), total=1)
    assert es_cluster.holding_alias(ALIAS) == []


def test_delete_everything_on_a_fresh_cluster(es_cluster):
    """Recorded: the old ``get_alias`` answered 404 "alias missing" and raised here."""
    get_engine().delete_everything()
    assert es_cluster.lines() == [f"GET /{ALIAS}-*/_alias", f"HEAD /{ALIAS}.rebuild"]
    get_engine().index([listing_data(7)])
    get_engine().delete_everything()
    assert es_cluster.indices == {}


# --- searching before any index, and when Elasticsearch cannot answer ---------------------------
def test_search_before_any_index_is_an_empty_catalogue(es_cluster):
    """Recorded: ``index_not_found_exception`` (404) → an empty result, not a 503."""
    result = search(text="发票", filters={"type": ["saas"]})
    assert es_cluster.lines() == [f"POST /{ALIAS}/_search"]
    assert (result.total, result.hits, result.engine) == (0, [], "elasticsearch")
    assert suggest("发票") == []
    assert get_engine().count() == 0


def test_search_and_suggest_have_a_short_timeout_and_one_retry(es_cluster):
    get_engine().index([listing_data(7)])
    es_cluster.requests.clear()
    es_cluster.fail_next = [ConnectionTimeout("timed out"), ConnectionTimeout("timed out")]
    result = search(text="发票")
    searches = [r for r in es_cluster.requests if r.path.endswith("/_search")]
    assert len(searches) == 2  # the request and its one retry
    assert all(r.timeout is not None and r.timeout <= 2 for r in searches)
    assert result.engine == "database"  # then the database engine answered


# --- the request bodies --------------------------------------------------------------------------
def test_search_request_bodies(es_cluster):
    """Recorded: one request per search, in English with filters and in Chinese without."""
    get_engine().index([listing_data(7)])
    es_cluster.requests.clear()
    es_cluster.answer_search(
        search_answer(
            [hit(7, 3.0, body_en="Verify and archive e-invoices.")],
            aggregations={
                **recorded_es.empty_aggregations(
                    queries.search_body(make_request(filters={"type": ["saas"]}))["aggs"]
                ),
                "f_type": {
                    "doc_count": 3,
                    "by_value": {
                        "buckets": [{"key": "saas", "doc_count": 2}, {"key": "integration", "doc_count": 1}]
                    },
                },
                "f_trial": {
                    "doc_count": 3,
                    "by_value": {"buckets": [{"key": 1, "key_as_string": "true", "doc_count": 1}]},
                },
                "text_only": {"doc_count": 3},
            },
        )
    )
    result = search(
        text="invoices", filters={"type": ["saas"], "rating": ["4"]}, language="en", sort="relevance"
    )
    (request,) = es_cluster.requests
    assert request.line == f"POST /{ALIAS}/_search"
    assert_snapshot("search_english_filters", request.shape())
    assert [h.listing_id for h in result.hits] == [7]
    assert result.hits[0].highlights["body"] == "Verify and archive e-<mark>invoices</mark>."
    assert {(v.value, v.count, v.selected) for v in result.facets["type"]} == {
        ("saas", 2, True),
        ("integration", 1, False),
    }
    assert [(v.value, v.count) for v in result.facets["trial"]] == [("1", 1)]
    assert not result.fuzzy and result.did_you_mean is None
    es_cluster.requests.clear()
    search(text="出差员工审批", sort="price", page=3)
    assert_snapshot("search_chinese", es_cluster.requests[0].shape())


def test_chinese_goes_only_to_chinese_segmented_fields(es_cluster):
    body = queries.search_body(make_request(text="理财"))
    dumped = json.dumps(body["query"], ensure_ascii=False)
    assert "理财" in dumped
    fields = {f.split("^")[0] for f in queries.token_fields()}
    assert fields == {"tokens_name", "tokens_tagline", "tokens_meta", "tokens_body"}
    assert "_en" not in dumped.replace("name_en_norm", "")  # no English-analysed field sees Chinese


def test_fuzzy_only_when_nothing_matched_and_did_you_mean(es_cluster):
    """Recorded: no hit for the words → the typo pass (second request, ``fuzziness`` only there)
    → its hits, ``result.fuzzy``, and "did you mean" (third request)."""
    get_engine().index([listing_data(7)])
    es_cluster.requests.clear()
    es_cluster.answer_search(search_answer([]))
    es_cluster.answer_search(search_answer([hit(7, 2.0, title_en="Invoice Butler")]))
    es_cluster.answer_search(search_answer([hit(7, 2.0, title="发票管家", title_en="Invoice Butler")]))
    result = search(text="Invoce Butler", language="en")
    first, fuzzy, did_you_mean = es_cluster.requests
    assert "fuzziness" not in json.dumps(first.body)
    assert "fuzziness" in json.dumps(fuzzy.body["query"])
    assert_snapshot("search_fuzzy_pass", fuzzy.shape())
    assert_snapshot("did_you_mean", did_you_mean.shape())
    assert result.fuzzy and [h.listing_id for h in result.hits] == [7]
    assert result.did_you_mean == "Invoice Butler"


def test_did_you_mean_not_when_the_filters_empty_the_result(es_cluster):
    """Recorded: nothing under the filters, but the text alone matches 3 (``text_only``): no typo
    pass, no "did you mean"."""
    get_engine().index([listing_data(7)])
    es_cluster.requests.clear()
    aggs = recorded_es.empty_aggregations(
        queries.search_body(make_request(filters={"tier": ["gold"]}))["aggs"]
    )
    es_cluster.answer_search(search_answer([], aggregations={**aggs, "text_only": {"doc_count": 3}}))
    result = search(text="Invoice Butler", filters={"tier": ["gold"]})
    assert len(es_cluster.requests) == 1
    assert result.total == 0 and result.did_you_mean is None and not result.fuzzy


def test_suggest_request_orders_like_the_database_engine(es_cluster):
    get_engine().index([listing_data(7)])
    es_cluster.requests.clear()
    es_cluster.answer_search(search_answer([hit(7, 1.0, url="/p/7/", url_en="", partner_name="基础软件")]))
    suggestions = suggest("Inv*", language="en")
    (request,) = es_cluster.requests
    assert_snapshot("suggest", request.shape())
    assert request.body["size"] <= 10 and "suggest" not in request.body  # the hits are the suggestions
    assert suggestions[0]["kind"] == "listing" and suggestions[0]["value"] == "7"


def test_page_past_the_end_is_the_last_page(es_cluster):
    get_engine().index([listing_data(7)])
    es_cluster.requests.clear()
    es_cluster.answer_search(search_answer([], total=45))
    es_cluster.answer_search(search_answer([hit(7)], total=45))
    result = search(page=9, per_page=20)
    first, last = es_cluster.requests
    assert (first.body["from"], last.body["from"], last.body["size"]) == (160, 40, 20)
    assert result.page == 3 and result.pages == 3


def test_deep_pages_are_asked_for_as_they_are(es_cluster):
    body = queries.search_body(make_request(page=500, per_page=100))
    assert body["from"] + body["size"] == 50_000  # inside max_result_window


# --- the clause limit ------------------------------------------------------------------------------
CHINESE_200 = (
    "我们的系统让员工出差审批和费用报销流程更快数据库存储安全可靠支持电子发票自动验真归档与报销对接多组织核算与合并报表"
    "按月自动计算工资社保与个税实施服务包三周上线销售自动化销售线索与商机管理出行预订与管控人事薪资电子发票一站式管理"
    "适合集团企业的财务共享中心建设方案覆盖应收应付总账固定资产现金管理预算控制成本核算税务申报合同管理采购协同供应商门户"
    "客户关系营销活动会员积分门店零售库存调拨生产计划质量追溯设备维护能源管理"
)[:200]


def test_a_200_character_chinese_query_stays_under_the_clause_limit(es_cluster):
    assert len(CHINESE_200) == 200
    body = queries.search_body(make_request(text=CHINESE_200, filters={"type": ["saas"], "region": ["east"]}))
    assert queries.leaf_clauses(body["query"]) + queries.leaf_clauses(body.get("post_filter", {})) < 1024
    long_latin = " ".join(f"word{i}x" for i in range(60))
    assert queries.leaf_clauses(queries.search_body(make_request(text=long_latin))["query"]) < 1024


def test_a_query_past_the_budget_is_shortened_to_fit(es_cluster, monkeypatch):
    monkeypatch.setattr(queries, "TEXT_CLAUSE_BUDGET", 100)
    terms, cut = queries.capped_terms(CHINESE_200)
    assert cut and terms
    text = queries.text_query(CHINESE_200)
    assert queries.leaf_clauses(text["bool"]["must"]) <= 100


def test_the_clause_limit_answer_falls_back_to_the_database_engine(es_cluster):
    """Recorded: a cluster with a lower limit answers 400 ``too_many_nested_clauses``; the page
    is served from the database engine instead of a 503."""
    get_engine().index([listing_data(7)])
    es_cluster.answer_search(too_many_clauses(f"{ALIAS}-initial"))
    result = search(text=CHINESE_200)
    assert result.engine == "database"
    assert search(text="发票").engine == "elasticsearch"  # one query's size: the cluster stays in use


# --- with the catalogue: tasks, the database fallback, a rebuild with writes during it ------------
def _listing(partner, title, title_en):
    from tests.factories.search import publish_listing

    return publish_listing(
        partner, title=title, title_en=title_en, tagline=f"{title}标语", tagline_en=title_en
    )


def test_index_tasks_retry_on_the_clients_own_connection_errors(es_cluster, monkeypatch):
    """Recorded: the first six requests fail with ``elasticsearch.ConnectionError`` (not Python's
    ``ConnectionError``); the task retries with backoff and the listing is indexed."""
    from catalog.search import tasks
    from tests.factories.search import search_partner

    listing = _listing(search_partner(), "发票管家", "Invoice Butler")  # not committed: nothing indexed yet
    es_cluster.fail_next = [TransportConnectionError("refused") for _ in range(6)]
    # As a worker runs it: a retry is scheduled (here: run at once), not raised to the caller.
    monkeypatch.setitem(tasks.index_listings.app.conf, "task_eager_propagates", False)
    result = tasks.index_listings.apply(args=[[listing.pk]])
    assert result.successful(), result.traceback
    assert set(es_cluster.docs(ALIAS)) == {str(listing.pk)}
    assert tasks.index_listings.retry_backoff and tasks.index_listings.max_retries >= 5


def test_unreachable_elasticsearch_falls_back_to_the_current_database_index(es_cluster, committed):
    """Recorded: publishing writes both indices; with the cluster down, search and suggest are
    answered by the database engine, and for a while no request is even tried."""
    from tests.factories.search import search_partner

    with committed():
        listing = _listing(search_partner(), "发票管家", "Invoice Butler")
    assert set(es_cluster.docs(ALIAS)) == {str(listing.pk)}
    es_cluster.down = True
    result = search(text="发票管家")
    assert result.engine == "database" and [h.listing_id for h in result.hits] == [listing.pk]
    assert [s["value"] for s in suggest("invoice", language="en") if s["kind"] == "listing"] == [
        str(listing.pk)
    ]
    tried = len(es_cluster.requests)
    assert search(text="invoice").engine == "database"
    assert len(es_cluster.requests) == tried  # the circuit breaker: no timeout paid per request


def test_writes_made_during_a_rebuild_reach_the_new_index(es_cluster, committed):
    """Recorded: while the first batch is in the new index, one listing is unpublished and another
    published (through the tasks, as a request would); the rebuilt index reflects both."""
    from catalog.search.indexing import reindex_all
    from tests.factories.search import search_partner

    partner = search_partner()
    with committed():
        kept = _listing(partner, "总账专家", "Ledger Pro")
        unpublished = _listing(partner, "差旅通", "Trip Desk")
    added = []

    def progress(done, total):
        if done and not added:
            with committed():
                ListingPage = type(unpublished)
                ListingPage.objects.get(pk=unpublished.pk).unpublish()
                added.append(_listing(partner, "薪资助手", "Payroll Pilot"))

    reindex_all(progress=progress)
    assert set(es_cluster.docs(ALIAS)) == {str(kept.pk), str(added[0].pk)}
    assert any(r.path == f"/{ALIAS}.rebuild/_search" for r in es_cluster.requests)  # the journal was read
    assert f"{ALIAS}.rebuild" not in es_cluster.indices


def test_stemming_and_staff_synonyms_reach_the_elasticsearch_query(es_cluster):
    """The relevance work applies here too: Snowball stems in the tokens and the query's terms,
    and a synonym group edited by staff as one term whose alternatives are its expressions."""
    from catalog.models import SearchSynonym
    from catalog.search import synonyms

    SearchSynonym.objects.create(terms="SSO, single sign-on, 星云认证")
    synonyms.invalidate()
    musts = queries.text_query("sso managers")["bool"]["must"]
    queried = {alt["combined_fields"]["query"] for m in musts for alt in m.get("bool", {}).get("should", [m])}
    assert "manag" in queried  # the stem of managers (management, managing … meet it)
    assert {"星云 云认 认证", "singl sign"} & queried  # the group's other expressions
    assert (
        "manag"
        in lifecycle.index_actions([listing_data(title_en="Contract management")], ALIAS)[0]["_source"][
            "tokens_name"
        ].split()
    )


def test_reindex_command_refuses_a_second_rebuild_clearly(es_cluster):
    from django.core.management import CommandError, call_command

    lifecycle.acquire_journal("symbio-listings-other")
    with pytest.raises(CommandError, match="another rebuild"):
        call_command("reindex", verbosity=0)
