"""The OpenAPI 3.1 document of /api/, written out so it says exactly what the endpoints do."""

from __future__ import annotations

from typing import Any

from indexer.advanced import FORM_FIELDS, SCOPES
from indexer.entities import KINDS
from indexer.facetpages import FACET_PAGE_PARAMS
from indexer.kwic import DEFAULT_WIDTH, KWIC_COLUMNS, MAX_WIDTH, MIN_WIDTH, WIDTH_HELP
from indexer.request import (
    COUNTS,
    FACETS,
    GROUPS,
    MAX_NEAR_DISTANCE,
    MAX_QUERY_LENGTH,
    MAX_VALUES_PER_FACET,
    PARAMS,
    STATS_FACETS,
    Param,
)
from indexer.results import DIGEST_LENGTH
from indexer.suggest import DEFAULT_SUGGESTIONS, HEADLINE_SUGGESTIONS, MAX_PREFIX, MAX_SUGGESTIONS, MIN_PREFIX
from indexer.trends import LOW_FRACTION, LOW_MINIMUM, MAX_QUERIES, MAX_TREND_PERIODS, SHARED, TREND_PARAMS

from .params import DEFAULT_RELATED, MAX_RELATED

# YYYY, YYYY-MM or YYYY-MM-DD. The pattern rules out months and days that never exist; 2021-02-30 passes it and is
# answered 400, which JSON Schema cannot say.
DATE_BOUND = {"type": "string", "pattern": "^[0-9]{4}(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?)?$"}


def _param(name: str, description: str, schema: dict[str, Any], array: bool = False) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": description}
    if array:
        param["schema"] = {"type": "array", "items": schema, "maxItems": MAX_VALUES_PER_FACET}
        param["style"], param["explode"] = "form", True
    else:
        # An empty value is the same as leaving the parameter out (the search form sends its blank fields).
        param["schema"], param["allowEmptyValue"] = schema, True
    return param


# What the API answers, beyond what the parameter means (PARAMS says that).
_ANSWERED = {
    "text": " A query that cannot be parsed (an unknown field, a bad date: scope, only stop words) is answered 400.",
    "date": " A date that does not exist, or a range ending before `from`, is answered 400.",
    "number": " A value out of range is answered 400.",
}


def _search_parameter(param: Param) -> dict[str, Any]:
    """Return the OpenAPI parameter of a search parameter, from its declaration."""
    schema: dict[str, Any]
    if param.kind == "text":
        schema = {"type": "string", "maxLength": param.maximum}
    elif param.kind == "values":
        schema = {"type": "string"}
    elif param.kind == "date":
        schema = DATE_BOUND
    elif param.kind == "choice":
        schema = {"type": "string", "enum": list(param.choices)}
    else:
        schema = {"type": "integer", "minimum": param.minimum, "maximum": param.maximum}
    return _param(param.name, param.help + _ANSWERED.get(param.kind, ""), schema, array=param.repeatable)


SEARCH_PARAMETERS = [_search_parameter(param) for param in PARAMS]


def _trend_parameters() -> list[dict[str, Any]]:
    """Return the parameters of /api/trends: its own (indexer.trends.TREND_PARAMS), then the filters it shares."""
    found = []
    for param in TREND_PARAMS:
        if param.choices:
            found.append(_param(param.name, param.help + " Another value is answered 400.",
                                {"type": "string", "enum": list(param.choices)}))
        else:
            answered = (f" More than {MAX_QUERIES} values, a query that cannot be parsed, or no query at all is "
                        "answered 400.")
            query = _param(param.name, param.help + answered, {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                           array=True)
            query["schema"]["maxItems"] = param.maximum
            found.append(query)
    return found + [p for p in SEARCH_PARAMETERS if p["name"] in SHARED]


TREND_PARAMETERS = _trend_parameters()
KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "The article id; ids with characters other than letters, digits and .:@_- are written "
                      "as ~ followed by their URL-safe base64 (a ~ key that is not is answered 400)."}
# Article times are kept as printed, without a zone, so they are not RFC 3339 "date-time" values (which need one).
NULLABLE_DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$",
                 "description": "ISO 8601 local date and time, without a zone offset: as the article printed it"}
STRINGS = {"type": "array", "items": {"type": "string"}}
PARTIAL = {"type": "boolean", "const": True,
           "description": "Present when a part of the archive (a shard) did not answer: what is listed and counted "
                          "misses its articles"}
LANGUAGE = {"type": ["string", "null"], "description": "ISO 639-1 code of the article's language, as stated or "
                                                      "detected (null: indexed before languages)"}
# The people, organisations and places an article names: canonical names, stated by its record or found in its text.
NAMES = {kind.attribute: {**STRINGS, "description": f"The {kind.plural} it names (canonical names, as the "
                                                   f"{kind.facet} facet lists them: docs/entities.md)"}
         for kind in KINDS}

SCHEMAS: dict[str, Any] = {
    "Hit": {"type": "object", "required": ["id", "headline", "author", "date", "topic", "source", "url",
                                          "snippet", "score"],
            "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "author": STRINGS,
                           "date": NULLABLE_DATE, "topic": STRINGS, "source": {"type": "string"},
                           "url": {"type": "string"},
                           "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
                           "score": {"type": ["number", "null"]},
                           "story": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Story"}],
                                     "description": "The wire story the article is a copy or version of (null: "
                                                    "indexed before stories; rebuild to cluster it)"},
                           "copies": {"type": "array", "items": {"$ref": "#/components/schemas/StoryCopy"},
                                      "description": "With group=story: the story's other articles, by date "
                                                     "(the hit is its earliest matching version)"},
                           "language": LANGUAGE, **NAMES}},
    "Story": {"type": "object", "required": ["id", "size", "outlets"],
              "properties": {"id": {"type": "string"},
                             "size": {"type": "integer", "description": "How many articles the story has"},
                             "outlets": {"type": "integer", "description": "In how many sources they ran"}}},
    "StoryCopy": {"type": "object", "required": ["id", "headline", "date", "source"],
                  "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "date": NULLABLE_DATE,
                                 "source": {"type": "string"}}},
    "FacetValue": {"type": "object", "required": ["value", "count"],
                   "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}},
    "SearchPage": {"type": "object", "required": ["query", "total", "stories", "group", "count", "page", "per_page",
                                                 "hits", "facets", "suggestion", "timeline"],
                   "properties": {"query": {"type": "string"},
                                  "total": {"type": "integer", "description": "How many articles match"},
                                  "stories": {"type": "integer", "description": "How many stories they belong to"},
                                  "group": {"enum": list(GROUPS)}, "count": {"enum": list(COUNTS)},
                                  "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                  "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                                  "facets": {"type": "object", "additionalProperties": {
                                      "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                                  "suggestion": {"type": ["string", "null"]},
                                  "also_searched": {**STRINGS, "description": "The synonyms and variant names "
                                                    "of the query's words that were searched too (synonyms=on)"},
                                  "partial": PARTIAL,
                                  "timeline": {"oneOf": [{"type": "null"},
                                                         {"$ref": "#/components/schemas/Timeline"}]}}},
    "Timeline": {"type": "object", "required": ["unit", "periods"],
                 "description": "When the matches ran: every period from the first match to the last (or the "
                                "whole date range asked for, up to four years), empty ones included",
                 "properties": {"unit": {"enum": ["day", "week", "month", "year"]},
                                "periods": {"type": "array", "items": {
                                    "type": "object", "required": ["start", "end", "count"],
                                    "properties": {"start": {"type": "string", "format": "date"},
                                                   "end": {"type": "string", "format": "date"},
                                                   "count": {"type": "integer"}}}}}},
    "Article": {"type": "object", "required": ["id", "headline", "author", "date", "topic", "source", "url", "body",
                                              "related_headlines"],
                "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "author": STRINGS,
                               "date": NULLABLE_DATE, "topic": STRINGS, "source": {"type": "string"},
                               "url": {"type": "string"}, "body": {"type": "string"},
                               "related_headlines": STRINGS, "language": LANGUAGE, **NAMES}},
    "Related": {"type": "object", "required": ["id", "related"],
                "properties": {"id": {"type": "string"}, "related": {"type": "array", "items": {
                    "type": "object", "required": ["id", "headline", "date", "source", "score"],
                    "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "date": NULLABLE_DATE,
                                   "source": {"type": "string"}, "score": {"type": "number"}}}},
                               "partial": PARTIAL}},
    "Stats": {"type": "object", "required": ["documents", "first_date", "last_date", "segments", "shards"],
              "properties": {"documents": {"type": "integer"}, "first_date": NULLABLE_DATE,
                             "last_date": NULLABLE_DATE,
                             "segments": {"type": ["integer", "null"],
                                          "description": "null when not known: a Solr user with read rights only "
                                                         "may not ask the cores"},
                             "shards": {"type": "integer", "description": "The parts the archive is split into "
                                                                          "over machines (1 on Whoosh)"},
                             "partial": PARTIAL,
                             **{f"top_{name}": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                                for name in STATS_FACETS}}},
    "Trends": {"type": "object",
               "required": ["queries", "filters", "count", "measure", "unit", "low_below", "series", "periods"],
               "description": "Each query's count and share of the archive's articles (or stories, each once) per "
                              "period, under the shared filters. Periods run from the first dated match to the last "
                              "(or over from/to), at most " + f"{MAX_TREND_PERIODS:,}" + ".",
               "properties": {"queries": STRINGS,
                              "filters": {"type": "object", "description": "The shared filters given, as parameters"},
                              "count": {"enum": list(COUNTS)}, "measure": {"enum": ["share", "count"]},
                              "unit": {"enum": ["day", "week", "month", "year", None],
                                       "description": "null when no dated article matches (no periods)"},
                              "low_below": {"type": "number", "description": "A period whose total is below this "
                                            f"is low: {LOW_MINIMUM}, or {LOW_FRACTION:g} of the median period's "
                                            "total when more"},
                              "series": {"type": "array", "maxItems": MAX_QUERIES, "items": {
                                  "type": "object", "required": ["query", "total", "stories", "suggestion"],
                                  "properties": {"query": {"type": "string"},
                                                 "total": {"type": "integer", "description": "Articles it matches"},
                                                 "stories": {"type": "integer",
                                                             "description": "Stories they belong to"},
                                                 "suggestion": {"type": ["string", "null"]}}}},
                              "periods": {"type": "array", "items": {"$ref": "#/components/schemas/TrendPeriod"}},
                              "partial": PARTIAL}},
    "TrendPeriod": {"type": "object", "required": ["start", "end", "label", "total", "low", "counts", "shares"],
                    "properties": {"start": {"type": "string", "format": "date"},
                                   "end": {"type": "string", "format": "date"}, "label": {"type": "string"},
                                   "total": {"type": "integer", "description": "The archive's articles (or stories) "
                                                                               "in the period, under the filters"},
                                   "low": {"type": "boolean", "description": "Too little material to draw a share"},
                                   "counts": {"type": "array", "items": {"type": "integer"},
                                              "description": "Each query's count, in the order of queries"},
                                   "shares": {"type": "array", "items": {"type": ["number", "null"]},
                                              "description": "Each query's count / total, rounded to 6 digits "
                                                             "(null when the total is 0)"}}},
    "Suggestions": {
        "type": "object", "required": ["prefix", "words", "headlines"],
        "properties": {"prefix": {"type": "string"},
                       "words": {"type": "array", "maxItems": MAX_SUGGESTIONS, "items": {
                           "type": "object", "required": ["text", "word", "articles"],
                           "properties": {"text": {"type": "string", "description": "The prefix with its last word "
                                                   "completed: what to search for"},
                                          "word": {"type": "string", "description": "The word, as the archive "
                                                   "mostly writes it"},
                                          "articles": {"type": "integer", "description": "How many articles hold "
                                                       "it (deleted ones may count until their space is reclaimed)"}}},
                                 "description": "Completions of the last word typed, most frequent first"},
                       "headlines": {"type": "array", "maxItems": HEADLINE_SUGGESTIONS, "items": {
                           "type": "object", "required": ["id", "headline", "date", "source", "page"],
                           "properties": {"id": {"type": "string"}, "headline": {"type": "string"},
                                          "date": NULLABLE_DATE, "source": {"type": "string"},
                                          "page": {"type": "string", "description": "The article's page (a path)"}}},
                                     "description": "The newest articles whose headline holds the words typed, the "
                                                    "last one completed by the first word suggested; each story once"},
                       "partial": PARTIAL}},
    "Error": {"type": "object", "required": ["error"], "additionalProperties": False,
              "properties": {"error": {"type": "object", "required": ["status", "code", "message"],
                                       "additionalProperties": False,
                                       "properties": {"status": {"type": "integer", "minimum": 400, "maximum": 599},
                                                      "code": {"type": "string", "minLength": 1},
                                                      "message": {"type": "string", "minLength": 1}}}}},
}

SCHEMAS["FacetPage"] = {
    "type": "object", "required": ["facet", "containing", "count", "total", "page", "per_page", "pages", "values",
                                   "search"],
    "description": "A page of a facet's values for a search: those holding the text `containing` gives, largest "
                   "count first (ties by value; years and months in date order), counted as the search's facets "
                   "are (without the facet's own selection); its selected values flagged, listed with 0 when the "
                   "search has none",
    "properties": {"facet": {"enum": list(FACETS)}, "containing": {"type": "string"}, "count": {"enum": list(COUNTS)},
                   "total": {"type": "integer", "description": "How many values contain that text, on every page"},
                   "page": {"type": "integer"}, "per_page": {"type": "integer"}, "pages": {"type": "integer"},
                   "values": {"type": "array", "items": {
                       "type": "object", "required": ["value", "count", "selected"],
                       "properties": {"value": {"type": "string"}, "count": {"type": "integer"},
                                      "selected": {"type": "boolean"}}}},
                   "search": {"type": "string", "description": "The search counted, in canonical form"},
                   "partial": PARTIAL}}
# What an answer was computed from (indexer.results.IndexFingerprint), in every answer but errors and this document.
SCHEMAS["IndexFingerprint"] = {
    "type": "object",
    "required": ["backend", "articles", "last_commit", "schema_version", "analyzer_version", "digest"],
    "description": "The index the answer was computed on: equal for the same committed index, another after any "
                   "write that changes what is indexed",
    "properties": {"backend": {"type": "string", "description": "The engine: whoosh or solr"},
                   "articles": {"type": "integer", "minimum": 0},
                   "last_commit": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
                                   "description": "UTC; null for an empty index (on Solr, the last added article)"},
                   "schema_version": {"type": "string"}, "analyzer_version": {"type": "string"},
                   "digest": {"type": "string", "pattern": f"^[0-9a-f]{{{DIGEST_LENGTH}}}$",
                              "description": "Cite this; /cite?...&fp=DIGEST says whether the index changed since"}}}
for _name in ("SearchPage", "Article", "Related", "Stats", "Trends", "FacetPage"):
    SCHEMAS[_name]["required"].append("index")
    SCHEMAS[_name]["properties"]["index"] = {"$ref": "#/components/schemas/IndexFingerprint"}
SCHEMAS["SearchPage"]["required"] += ["search", "cite", "also_searched"]
SCHEMAS["SearchPage"]["properties"].update({
    "search": {"type": "string", "description": "The search in canonical form: its parameters less defaults, sorted "
                                                "and percent-encoded; the same search always has the same one"},
    "cite": {"type": "string", "format": "uri", "description": "The /cite permalink of this search on this index"}})

ERRORS = {
    400: "A bad query or parameter; the message says what to change.",
    404: "No article has this id.",
    429: "Too many requests from this client; try again after Retry-After seconds.",
    503: "There is no index yet.",
}


def _responses(schema: str, *errors: int) -> dict[str, Any]:
    error_schema = {"$ref": "#/components/schemas/Error"}
    found: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}
    for status in errors:
        found[str(status)] = {"description": ERRORS[status], "content": {"application/json": {"schema": error_schema}}}
    if 429 in errors:
        found["429"]["headers"] = {"Retry-After": {"description": "Seconds until the client may search again.",
                                                   "required": True, "schema": {"type": "integer", "minimum": 1}}}
    return found


def _kwic_operation() -> dict[str, Any]:
    """Return the keyword-in-context export: the search parameters but paging, and the width of context."""
    width = _param("width", WIDTH_HELP + " A value out of range is answered 400.",
                   {"type": "integer", "minimum": MIN_WIDTH, "maximum": MAX_WIDTH, "default": DEFAULT_WIDTH})
    query = {**next(p for p in SEARCH_PARAMETERS if p["name"] == "q"), "required": True,
             "description": "The words or phrases to find, in newsarchive's query language (docs/search.md). "
                            "Required: an empty query (or *) is answered 400."}
    responses = _responses("Error", 400, 429, 503)
    for status in ("400", "429", "503"):  # a browser (Accept: text/html) gets the error page
        responses[status]["content"]["text/html"] = {"schema": {"type": "string"}}
    responses["200"] = {"description": "CSV (UTF-8, with a byte order mark), streamed: a header row ("
                                       + ", ".join(KWIC_COLUMNS) + "), then a row for every occurrence of the "
                                       "query's words or phrases in every match, in the search's order",
                        "content": {"text/csv": {"schema": {"type": "string"}}}}
    return {"get": {"operationId": "exportKeywordInContext", "summary": "Every occurrence of the query's words in "
                    "every match, with the words either side (a concordance); a query is required",
                    "parameters": [query, *(p for p in SEARCH_PARAMETERS if p["name"] not in ("q", "page", "per_page")),
                                   width],
                    "responses": responses}}


def _suggest_operation() -> dict[str, Any]:
    """Return autocomplete: a required prefix and how many words."""
    prefix = {"name": "prefix", "in": "query", "required": True,
              "description": f"The text typed so far ({MIN_PREFIX} to {MAX_PREFIX:,} characters, not counting spaces "
                             "around it; otherwise answered 400): its last word is completed, case and accents "
                             "aside; the words before it are kept.",
              "schema": {"type": "string", "minLength": MIN_PREFIX, "maxLength": MAX_PREFIX}, "allowEmptyValue": False}
    limit = _param("limit", f"How many words to suggest (1-{MAX_SUGGESTIONS}). A value out of range is answered 400.",
                   {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS, "default": DEFAULT_SUGGESTIONS})
    return {"get": {"operationId": "suggest", "summary": "Autocomplete: words and headlines for the text typed so far",
                    "parameters": [prefix, limit], "responses": _responses("Suggestions", 400, 429, 503)}}


SCHEMAS["Advanced"] = {"oneOf": [
    {"type": "object", "required": ["query", "filters", "params", "url"], "additionalProperties": False,
     "properties": {"query": {"type": "string", "description": "The query text, in the query language (\"\": every "
                                                              "article under the filters)"},
                    "filters": {**STRINGS, "description": "What the search asks beyond its query, in words"},
                    "params": {"type": "object", "description": "The results page's parameters (defaults left out)"},
                    "url": {"type": "string", "format": "uri", "description": "The results page of this search"}}},
    {"type": "object", "required": ["problem"], "additionalProperties": False,
     "description": "A form that cannot be run yet, and what to change",
     "properties": {"problem": {"type": "object", "required": ["code", "message"], "properties": {
         "code": {"enum": ["empty_form", "cannot_run"]}, "message": {"type": "string", "minLength": 1}}}}}]}


def _advanced_operation() -> dict[str, Any]:
    """Return /api/advanced: the advanced form's own fields, then the search parameters it passes on."""
    own = []
    for field in FORM_FIELDS:
        schema: dict[str, Any] = {"type": "string", "maxLength": MAX_QUERY_LENGTH}
        if field.name == "within":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_NEAR_DISTANCE}
        elif field.name == "field":
            schema = {"type": "string", "enum": list(SCOPES)}
        own.append(_param(field.name, f"{field.label}: {field.hint}.", schema))
    passed = [p for p in SEARCH_PARAMETERS if p["name"] not in ("match", "page", "per_page")]
    return {"get": {"operationId": "advancedQuery", "summary": "The query an advanced search form builds (what is "
                    "typed in its word boxes is words, never syntax) and its results page, or why the form cannot "
                    "be run yet (problem: nothing asked, a query that cannot be parsed...)",
                    "parameters": own + passed, "responses": _responses("Advanced", 400)}}


def _facets_operation() -> dict[str, Any]:
    """Return /api/facets/{name}: the search parameters (its page and per_page page the values), then its own."""
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": list(FACETS)},
            "description": "The facet. Another name is answered 404."}
    own = [_param(p.name, p.help + " A value out of range is answered 400.",
                  {"type": "string", "maxLength": p.maximum} if p.name == "containing" else
                  {"type": "integer", "minimum": p.minimum, "maximum": p.maximum,
                   **({"default": p.default} if p.default else {})}) for p in FACET_PAGE_PARAMS]
    responses = _responses("FacetPage", 400, 404, 429, 503)
    responses["404"]["description"] = "There is no facet of this name."
    return {"get": {"operationId": "facetValues", "summary": "Every value of a facet for a search, a page at a time, "
                                                             "searchable by any part of a value",
                    "parameters": [name, *(p for p in SEARCH_PARAMETERS if p["name"] not in ("page", "per_page")),
                                   *own],
                    "responses": responses}}


def openapi_document(title: str, server: str) -> dict[str, Any]:
    """Return the OpenAPI document."""
    related_params = [KEY, _param("limit", f"How many related articles (1-{MAX_RELATED}).",
                                  {"type": "integer", "minimum": 1, "maximum": MAX_RELATED,
                                   "default": DEFAULT_RELATED})]
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{title} API", "version": "1",
                 "description": "Search a news archive. Read-only; CORS-enabled for the configured origins."},
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {"get": {"operationId": "search", "summary": "Search articles",
                                    "parameters": SEARCH_PARAMETERS,
                                    "responses": _responses("SearchPage", 400, 429, 503)}},
            "/api/articles/{key}": {"get": {"operationId": "getArticle", "summary": "One article",
                                            "parameters": [KEY],
                                            "responses": _responses("Article", 400, 404, 429, 503)}},
            "/api/articles/{key}/related": {"get": {"operationId": "relatedArticles",
                                                    "summary": "Articles like one article",
                                                    "parameters": related_params,
                                                    "responses": _responses("Related", 400, 404, 429, 503)}},
            "/api/suggest": _suggest_operation(),
            "/api/stats": {"get": {"operationId": "stats", "summary": "What the index holds",
                                   "responses": _responses("Stats", 503)}},
            "/export.kwic.csv": _kwic_operation(),
            "/api/facets/{name}": _facets_operation(),
            "/api/trends": {"get": {"operationId": "trends", "summary": "Coverage over time: queries compared",
                                    "parameters": TREND_PARAMETERS,
                                    "responses": _responses("Trends", 400, 429, 503)}},
            "/api/advanced": _advanced_operation(),
        },
        "components": {"schemas": SCHEMAS},
    }
