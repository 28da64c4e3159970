"""Static checks of the Elasticsearch engine's requests against its own mapping (no server):
every field a query, sort or aggregation names exists with a type that allows that use, and
every analyser is one Elasticsearch 8 ships (nothing to install on a cluster)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catalog.search.base import SORTS, make_request
from catalog.search.elastic import index_body, queries
from catalog.search.elastic.mapping import mapping_properties
from catalog.search.facets import FACETS

pytestmark = pytest.mark.django_db

BUILT_IN_ANALYZERS = {
    "standard",
    "simple",
    "whitespace",
    "stop",
    "keyword",
    "pattern",
    "fingerprint",
    "english",
}
BUILT_IN_TOKENIZERS = {"standard", "whitespace", "keyword", "letter", "lowercase", "icu_tokenizer"}
BUILT_IN_FILTERS = {"lowercase", "cjk_width", "cjk_bigram", "asciifolding", "stop", "porter_stem", "snowball"}

TEXT = {"text"}
EXACT = {"keyword", "boolean", "integer", "long", "float", "scaled_float", "date"}
NUMERIC = {"integer", "long", "float", "scaled_float", "double"}
SORTABLE = EXACT
USES = {
    "combined_fields": TEXT,
    "multi_match": TEXT,
    "match": TEXT,
    "term": EXACT,
    "terms": EXACT,
    "range": NUMERIC | {"date"},
    "prefix": {"keyword", "wildcard"},
    "wildcard": {"keyword", "wildcard"},
    "field_value_factor": NUMERIC,
    "exp": NUMERIC | {"date"},
    "sort": SORTABLE,
    "aggregation": EXACT,
}


def bare(field: str) -> str:
    return field.split("^")[0]


def used_fields(node, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(use, field) for every field named anywhere in a request body."""
    if isinstance(node, list):
        for item in node:
            used_fields(item, out)
        return out
    if not isinstance(node, dict):
        return out
    for key, value in node.items():
        if key in ("combined_fields", "multi_match"):
            out += [(key, bare(f)) for f in value["fields"]]
        elif key in ("match", "term", "terms", "range", "prefix", "wildcard"):
            out += [(key, f) for f in value if f != "boost"]
        elif key == "field_value_factor":
            out.append((key, value["field"]))
        elif key == "exp":
            out += [(key, f) for f in value]
        elif key == "sort":
            for item in value:
                field = item if isinstance(item, str) else next(iter(item))
                if field != "_score":
                    out.append(("sort", field))
        elif key == "aggs":
            for agg in value.values():
                if "terms" in agg:
                    out.append(("aggregation", agg["terms"]["field"]))
                    used_fields(agg.get("aggs", {}), out)
                else:
                    used_fields(agg, out)
            continue
        else:
            used_fields(value, out)
    return out


def request_bodies() -> list[dict]:
    everything = {facet.key: ["x"] if facet.key not in ("rating", "trial") else ["4"] for facet in FACETS}
    everything["trial"] = ["1"]
    bodies = []
    for sort in SORTS:
        for currency in ("CNY", "USD"):
            for text in ("", "发票 invoices 税", "Invoice Butler"):
                # Built directly: make_request would drop values the (empty) taxonomy lacks.
                request = replace(make_request(text=text, sort=sort, currency=currency), filters=everything)
                bodies.append(queries.search_body(request))
    bodies.append(queries.search_body(make_request(text="invoce butler"), fuzzy=True))
    bodies.append(queries.did_you_mean_body("invoce"))
    bodies.append(queries.suggest_body("inv", size=7))
    bodies.append(queries.popular_categories_body())
    return bodies


def test_every_field_a_request_names_exists_with_a_type_that_allows_it(settings):
    settings.ELASTICSEARCH_URL = "http://es.recorded:9200"
    properties = mapping_properties()
    seen = set()
    for body in request_bodies():
        for use, field in used_fields(body, []):
            seen.add((use, field))
            assert field in properties, f"{use} names {field}, which the mapping lacks"
            kind = properties[field]["type"]
            assert kind in USES[use], f"{use} on {field} ({kind})"
            if use in ("sort", "aggregation", "term", "terms", "range"):
                assert properties[field].get("index", True) is not False or use == "sort", field
        for name in body.get("_source", []):
            assert name in properties, f"_source asks for {name}"
    # The walk really saw each kind of use (it would pass vacuously otherwise).
    assert {use for use, _field in seen} == set(USES)


def test_combined_fields_analyse_every_field_alike(settings):
    settings.ELASTICSEARCH_URL = "http://es.recorded:9200"
    properties = mapping_properties()
    analysers = {properties[bare(f)]["analyzer"] for f in queries.token_fields()}
    assert analysers == {"whitespace"}  # combined_fields requires one analyser across its fields


def test_every_analyser_is_built_in(settings):
    settings.ELASTICSEARCH_URL = "http://es.recorded:9200"
    body = index_body()
    analysis = body["settings"].get("analysis", {})
    custom = analysis.get("analyzer", {})
    for name, spec in custom.items():
        assert spec["tokenizer"] in BUILT_IN_TOKENIZERS, name
        assert set(spec.get("filter", [])) <= BUILT_IN_FILTERS, name
    assert not analysis.get("tokenizer") and not analysis.get("filter")  # nothing from a plugin

    def analysers(properties):
        for spec in properties.values():
            for key in ("analyzer", "search_analyzer"):
                if key in spec:
                    yield spec[key]
            yield from analysers(spec.get("fields", {}))

    used = set(analysers(body["mappings"]["properties"]))
    assert used and used <= BUILT_IN_ANALYZERS | set(custom)
