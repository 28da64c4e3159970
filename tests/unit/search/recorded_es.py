"""A recorded Elasticsearch 8: an ``elastic_transport`` node class that answers the client in
process, records every request (method, path, query parameters, body) and replays the answers
the Elasticsearch 8 reference documents for them.

Nothing of our code is replaced: the engine builds its real client
(``settings.ELASTICSEARCH_NODE_CLASS`` points here), the client serialises the real request and
parses the answer, with the ``X-Elastic-Product`` check and status → exception mapping. The
"cluster" behind the node keeps indices, aliases and documents as Elasticsearch does for the
index APIs the engine uses (create, delete, exists, aliases, bulk, refresh, mapping, count) —
including the documented error answers (``resource_already_exists_exception``,
``index_not_found_exception``, ``alias [x] missing``, per-item bulk failures). Searches are
answered by ``Cluster.answer_search`` (a queue of canned answers) and otherwise with an empty
result shaped after the request's aggregations; the journal index is really searched.

    cluster = Cluster()           # the fixture ``es_cluster`` installs it
    cluster.requests              # [Request(method, path, params, body, timeout)]
    cluster.down = True           # every request raises elastic_transport.ConnectionError
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, ConnectionError, ConnectionTimeout, HttpHeaders
from elastic_transport._node import NodeApiResponse

CONTENT_TYPE = "application/vnd.elasticsearch+json;compatible-with=8"
TIMESTAMP = re.compile(r"-\d{20}\b")


@dataclass
class Request:
    method: str
    path: str
    params: dict
    body: object
    timeout: float | None = None

    def shape(self) -> dict:
        """What a snapshot keeps: index names with their timestamp replaced by ``<ts>``."""
        return {
            "method": self.method,
            "path": TIMESTAMP.sub("-<ts>", self.path),
            "params": self.params,
            "body": json.loads(TIMESTAMP.sub("-<ts>", json.dumps(self.body, ensure_ascii=False)))
            if self.body is not None
            else None,
        }

    @property
    def line(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.method} {TIMESTAMP.sub('-<ts>', self.path)}" + (f"?{query}" if query else "")


def error(status: int, type_: str, reason: str, **extra) -> tuple[int, dict]:
    cause = {"type": type_, "reason": reason, **extra}
    return status, {"error": {"root_cause": [cause], **cause}, "status": status}


def index_not_found(name: str) -> tuple[int, dict]:
    return error(
        404,
        "index_not_found_exception",
        f"no such index [{name}]",
        **{"resource.type": "index_or_alias", "resource.id": name, "index": name},
    )


def too_many_clauses(index: str) -> tuple[int, dict]:
    """What Elasticsearch 8 answers when a query exceeds its clause limit."""
    cause = {
        "type": "too_many_nested_clauses",
        "reason": "Query contains too many nested clauses; maxClauseCount is set to 1024",
    }
    return 400, {
        "error": {
            "root_cause": [cause],
            "type": "search_phase_execution_exception",
            "reason": "all shards failed",
            "phase": "query",
            "grouped": True,
            "failed_shards": [{"shard": 0, "index": index, "node": "n1", "reason": cause}],
        },
        "status": 400,
    }


@dataclass
class Index:
    name: str
    body: dict
    aliases: dict = field(default_factory=dict)  # alias → options
    docs: dict = field(default_factory=dict)  # _id → _source


class Cluster:
    def __init__(self):
        self.indices: dict[str, Index] = {}
        self.requests: list[Request] = []
        self.search_answers: list = []
        self.down = False
        self.fail_next: list = []  # exceptions / (status, body) answers for the next requests
        self.bulk_item_failures: dict[str, list[tuple[int, str]]] = {}  # _id → [(status, type)]
        self.on_request = None  # a callable(Request) run before an answer is delivered (races)
        self.lock = threading.RLock()

    # --- what tests read ------------------------------------------------------------------
    def lines(self) -> list[str]:
        return [r.line for r in self.requests]

    def holding_alias(self, alias: str) -> list[str]:
        return sorted(name for name, index in self.indices.items() if alias in index.aliases)

    def docs(self, alias_or_index: str) -> dict:
        names = self._resolve(alias_or_index)
        out = {}
        for name in names:
            out.update(self.indices[name].docs)
        return out

    def answer_search(self, answer) -> None:
        """Queue an answer for the next search: a response body, or (status, body)."""
        self.search_answers.append(answer)

    # --- the node's entry point -------------------------------------------------------------
    def handle(self, method: str, target: str, body: bytes | None, timeout) -> tuple[int, object]:
        parts = urlsplit(target)
        params = dict(parse_qsl(parts.query))
        parsed = None
        if body:
            text = body.decode()
            if parts.path.endswith("/_bulk"):
                parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                parsed = json.loads(text)
        request = Request(method, unquote(parts.path), params, parsed, timeout)
        with self.lock:
            self.requests.append(request)
        if self.down:
            raise ConnectionError("Connection refused (recorded cluster is down)")
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        with self.lock:
            answer = self._route(request)
        if self.on_request:  # the answer is decided; its delivery may be held (races)
            self.on_request(request)
        return answer

    # --- routing ----------------------------------------------------------------------------
    def _route(self, r: Request):
        segments = [s for s in r.path.split("/") if s]
        m = r.method
        if segments == ["_cluster", "health"]:
            return 200, {"cluster_name": "symbio", "status": "green", "number_of_nodes": 1}
        if segments == ["_alias", segments[-1]] and len(segments) == 2:
            return self._get_alias_by_name(segments[1], head=(m == "HEAD"))
        if segments == ["_aliases"] and m == "POST":
            return self._update_aliases(r.body["actions"])
        if segments and segments[-1] == "_bulk":
            return self._bulk(r.body, r.params)
        if len(segments) == 2 and segments[1] == "_alias" and m == "GET":
            return self._get_alias_by_index(segments[0])
        if len(segments) == 3 and segments[1] == "_alias" and m == "PUT":
            return self._put_alias(segments[0], segments[2])
        if len(segments) == 2 and segments[1] == "_refresh":
            missing = [n for n in segments[0].split(",") if not self._resolve(n)]
            if missing:
                return index_not_found(missing[0])
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if len(segments) == 2 and segments[1] == "_mapping":
            names = self._resolve(segments[0])
            if not names:
                return index_not_found(segments[0])
            return 200, {n: {"mappings": self.indices[n].body.get("mappings", {})} for n in names}
        if len(segments) == 2 and segments[1] == "_count":
            names = self._resolve(segments[0])
            if not names:
                return index_not_found(segments[0])
            return 200, {"count": sum(len(self.indices[n].docs) for n in names)}
        if len(segments) == 2 and segments[1] == "_search":
            return self._search(segments[0], r.body or {})
        if len(segments) == 1:
            name = segments[0]
            if m == "HEAD":
                return (200 if self._resolve(name) else 404), None
            if m == "PUT":
                return self._create(name, r.body or {})
            if m == "DELETE":
                return self._delete(name)
        return error(400, "unsupported_request", f"recorded cluster cannot answer {m} {r.path}")

    def _resolve(self, expression: str) -> list[str]:
        """Index names an expression (names, aliases, wildcards, comma-separated) resolves to."""
        out = []
        for part in expression.split(","):
            if "*" in part:
                out += [n for n in self.indices if fnmatch.fnmatchcase(n, part)]
            elif part in self.indices:
                out.append(part)
            else:
                out += [n for n, index in self.indices.items() if part in index.aliases]
        return sorted(set(out))

    def _create(self, name: str, body: dict):
        if name in self.indices:
            return error(
                400,
                "resource_already_exists_exception",
                f"index [{name}/uuid] already exists",
                index_uuid="uuid",
                index=name,
            )
        if any(name in index.aliases for index in self.indices.values()):
            return error(
                400, "invalid_index_name_exception", f"Invalid index name [{name}], already exists as alias"
            )
        aliases = body.get("aliases", {})
        self.indices[name] = Index(name, body, aliases=dict(aliases))
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _delete(self, expression: str):
        names = expression.split(",")
        for name in names:
            if "*" in name:
                return error(
                    400, "illegal_argument_exception", "Wildcard expressions or all indices are not allowed"
                )
            if name not in self.indices:
                return index_not_found(name)
        for name in names:
            del self.indices[name]
        return 200, {"acknowledged": True}

    def _get_alias_by_name(self, alias: str, *, head: bool):
        holders = self.holding_alias(alias)
        if head:
            return (200 if holders else 404), None
        if not holders:
            return 404, {"error": f"alias [{alias}] missing", "status": 404}
        return 200, {n: {"aliases": {alias: self.indices[n].aliases[alias]}} for n in holders}

    def _get_alias_by_index(self, expression: str):
        names = self._resolve(expression)
        if not names and "*" not in expression:
            return index_not_found(expression)
        return 200, {n: {"aliases": dict(self.indices[n].aliases)} for n in names}

    def _put_alias(self, index: str, alias: str):
        if index not in self.indices:
            return index_not_found(index)
        self.indices[index].aliases[alias] = {}
        return 200, {"acknowledged": True}

    def _update_aliases(self, actions: list[dict]):
        staged = {n: dict(i.aliases) for n, i in self.indices.items()}
        for action in actions:
            ((kind, spec),) = action.items()
            names = [n for n in staged if fnmatch.fnmatchcase(n, spec["index"])]
            if not names and "*" not in spec["index"]:
                return index_not_found(spec["index"])
            for name in names:
                if kind == "add":
                    options = {k: v for k, v in spec.items() if k in ("is_write_index",)}
                    staged[name][spec["alias"]] = options
                elif kind == "remove":
                    if spec["alias"] not in staged[name] and spec.get("must_exist"):
                        return error(404, "aliases_not_found_exception", f"aliases [{spec['alias']}] missing")
                    staged[name].pop(spec["alias"], None)
        writers = {}
        for name, aliases in staged.items():
            for alias, options in aliases.items():
                if options.get("is_write_index"):
                    writers.setdefault(alias, []).append(name)
        for alias, names in writers.items():
            if len(names) > 1:
                return error(
                    400,
                    "illegal_state_exception",
                    f"alias [{alias}] has more than one write index [{','.join(names)}]",
                )
        for name, aliases in staged.items():
            self.indices[name].aliases = aliases
        return 200, {"acknowledged": True, "errors": False}

    def _write_index(self, target: str, *, require_alias: bool):
        if target in self.indices:
            if require_alias:
                return None, (
                    404,
                    "index_not_found_exception",
                    f"no such index [{target}] and [require_alias] request flag is [true] and "
                    f"[{target}] is not an alias",
                )
            return target, None
        holders = self.holding_alias(target)
        if not holders:
            if require_alias:
                return None, (
                    404,
                    "index_not_found_exception",
                    f"no such index [{target}] and [require_alias] request flag is [true] and "
                    f"[{target}] is not an alias",
                )
            self.indices[target] = Index(target, {})  # auto-created, as Elasticsearch does
            return target, None
        if len(holders) == 1:
            return holders[0], None
        writers = [n for n in holders if self.indices[n].aliases[target].get("is_write_index")]
        if len(writers) == 1:
            return writers[0], None
        return None, (
            400,
            "illegal_argument_exception",
            f"no write index is defined for alias [{target}]. The write index may be explicitly disabled "
            "using is_write_index=false or the alias points to multiple indices without one being "
            "designated as a write index",
        )

    def _bulk(self, lines: list[dict], params: dict):
        require_alias = params.get("require_alias") == "true"
        items, errors = [], False
        i = 0
        while i < len(lines):
            ((op, meta),) = lines[i].items()
            i += 1
            source = None
            if op in ("index", "create", "update"):
                source = lines[i]
                i += 1
            _id = str(meta.get("_id"))
            name, failure = self._write_index(meta["_index"], require_alias=require_alias)
            scripted = self.bulk_item_failures.get(_id)
            if failure is None and scripted:
                status, type_ = scripted.pop(0)
                failure = (status, type_, f"recorded failure {type_}")
            if failure:
                errors = True
                status, type_, reason = failure
                items.append(
                    {
                        op: {
                            "_index": meta["_index"],
                            "_id": _id,
                            "status": status,
                            "error": {"type": type_, "reason": reason},
                        }
                    }
                )
                continue
            docs = self.indices[name].docs
            if op == "delete":
                found = docs.pop(_id, None) is not None
                items.append(
                    {
                        op: {
                            "_index": name,
                            "_id": _id,
                            "result": "deleted" if found else "not_found",
                            "status": 200 if found else 404,
                        }
                    }
                )
            else:
                created = _id not in docs
                docs[_id] = source
                items.append(
                    {
                        op: {
                            "_index": name,
                            "_id": _id,
                            "result": "created" if created else "updated",
                            "status": 201 if created else 200,
                        }
                    }
                )
        return 200, {"took": 1, "errors": errors, "items": items}

    def _search(self, expression: str, body: dict):
        names = self._resolve(expression)
        if not names:
            return index_not_found(expression)
        if self.search_answers and not any(n.endswith(".rebuild") for n in names):
            answer = self.search_answers.pop(0)
            if isinstance(answer, tuple):
                return answer
            return 200, answer
        docs = []
        for name in names:
            docs += [(name, _id, source) for _id, source in self.indices[name].docs.items()]
        if not any(n.endswith(".rebuild") for n in names):
            docs = []  # no text matching here: engine searches get canned answers
        docs.sort(key=lambda d: int(d[1]) if d[1].isdigit() else d[1])
        hits = [
            {"_index": n, "_id": i, "_score": None, "sort": [int(i)]}
            for n, i, _s in docs[: body.get("size", 10)]
        ]
        return 200, {
            "took": 1,
            "timed_out": False,
            "hits": {"total": {"value": len(docs), "relation": "eq"}, "max_score": None, "hits": hits},
            **({"aggregations": empty_aggregations(body["aggs"])} if body.get("aggs") else {}),
        }


def empty_aggregations(aggs: dict) -> dict:
    out = {}
    for name, spec in aggs.items():
        children = empty_aggregations(spec.get("aggs", {}))
        if "terms" in spec:
            out[name] = {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [],
                **children,
            }
        else:
            out[name] = {"doc_count": 0, **children}
    return out


def search_answer(hits: list[dict], *, total: int | None = None, aggregations: dict | None = None) -> dict:
    """A search response body as Elasticsearch 8 writes it."""
    return {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(hits) if total is None else total, "relation": "eq"},
            "max_score": max((h.get("_score") or 0 for h in hits), default=None),
            "hits": hits,
        },
        **({"aggregations": aggregations} if aggregations is not None else {}),
    }


CURRENT: dict = {"cluster": None}


class RecordedNode(BaseNode):
    """``settings.ELASTICSEARCH_NODE_CLASS = "tests.unit.search.recorded_es.RecordedNode"``."""

    _CLIENT_META_HTTP_CLIENT = ("rec", "1")

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        cluster = CURRENT["cluster"]
        if cluster is None:
            raise ConnectionTimeout("no recorded cluster installed")
        timeout = request_timeout if isinstance(request_timeout, int | float) else None
        status, answer = cluster.handle(method, target, body, timeout)
        data = b"" if answer is None else json.dumps(answer).encode()
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders({"content-type": CONTENT_TYPE, "x-elastic-product": "Elasticsearch"}),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, data)
