"""The OpenAPI 3.1 document of /api/, written out so it says exactly what the endpoints do."""

from __future__ import annotations

from typing import Any

from indexer.results import FACETS, MATCHES, MAX_PER_PAGE, SORTS


def _param(name: str, description: str, schema: dict[str, Any], array: bool = False) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": description}
    param["schema"] = {"type": "array", "items": schema} if array else schema
    if array:
        param["style"], param["explode"] = "form", True
    return param


SEARCH_PARAMETERS = [
    _param("q", "Query in the Whoosh query language; empty lists everything, newest first.",
           {"type": "string", "maxLength": 1000}),
    *[_param(name, f"Only articles with any of these {name} values.", {"type": "string"}, array=True)
      for name in FACETS],
    _param("from", "From this date (YYYY, YYYY-MM or YYYY-MM-DD).", {"type": "string"}),
    _param("to", "To this date, inclusive (YYYY, YYYY-MM or YYYY-MM-DD).", {"type": "string"}),
    _param("sort", "Order of the hits.", {"type": "string", "enum": list(SORTS)}),
    _param("match", "Require all the query's words (all) or any of them (any).",
           {"type": "string", "enum": list(MATCHES)}),
    _param("page", "Page number (pages reach 10,000 results deep).", {"type": "integer", "minimum": 1}),
    _param("per_page", "Hits per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
]
KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "The article id; ids with characters other than letters, digits and .:@_- are written "
                      "as ~ followed by their URL-safe base64."}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date-time"}
STRINGS = {"type": "array", "items": {"type": "string"}}

SCHEMAS: dict[str, Any] = {
    "Hit": {"type": "object", "required": ["id", "headline", "author", "date", "topic", "source", "url",
                                          "snippet", "score"],
            "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "author": STRINGS,
                           "date": NULLABLE_DATE, "topic": STRINGS, "source": {"type": "string"},
                           "url": {"type": "string"},
                           "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
                           "score": {"type": ["number", "null"]}}},
    "FacetValue": {"type": "object", "required": ["value", "count"],
                   "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}},
    "SearchPage": {"type": "object", "required": ["query", "total", "page", "per_page", "hits", "facets",
                                                 "suggestion"],
                   "properties": {"query": {"type": "string"}, "total": {"type": "integer"},
                                  "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                  "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                                  "facets": {"type": "object", "additionalProperties": {
                                      "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
                                  "suggestion": {"type": ["string", "null"]}}},
    "Article": {"type": "object", "required": ["id", "headline", "author", "date", "topic", "source", "url", "body",
                                              "related_headlines"],
                "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "author": STRINGS,
                               "date": NULLABLE_DATE, "topic": STRINGS, "source": {"type": "string"},
                               "url": {"type": "string"}, "body": {"type": "string"},
                               "related_headlines": STRINGS}},
    "Related": {"type": "object", "required": ["id", "related"],
                "properties": {"id": {"type": "string"}, "related": {"type": "array", "items": {
                    "type": "object", "required": ["id", "headline", "date", "source", "score"],
                    "properties": {"id": {"type": "string"}, "headline": {"type": "string"}, "date": NULLABLE_DATE,
                                   "source": {"type": "string"}, "score": {"type": "number"}}}}}},
    "Stats": {"type": "object", "required": ["documents", "first_date", "last_date", "segments"],
              "properties": {"documents": {"type": "integer"}, "first_date": NULLABLE_DATE,
                             "last_date": NULLABLE_DATE, "segments": {"type": "integer"},
                             "top_topic": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
                             "top_author": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
                             "top_source": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}},
    "Error": {"type": "object", "required": ["error"],
              "properties": {"error": {"type": "object", "required": ["status", "code", "message"],
                                       "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                                                      "message": {"type": "string"}}}}},
}


def _responses(schema: str, *errors: int) -> dict[str, Any]:
    error_schema = {"$ref": "#/components/schemas/Error"}
    error = {"description": "Error", "content": {"application/json": {"schema": error_schema}}}
    found = {"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}
    for status in (*errors, 429, 503):
        found[str(status)] = error
    return found


def openapi_document(title: str, server: str) -> dict[str, Any]:
    """Return the OpenAPI document."""
    related_params = [KEY, _param("limit", "How many related articles (1-50).",
                                  {"type": "integer", "minimum": 1, "maximum": 50})]
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{title} API", "version": "1",
                 "description": "Search a news archive. Read-only; CORS-enabled for the configured origins."},
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {"get": {"operationId": "search", "summary": "Search articles",
                                    "parameters": SEARCH_PARAMETERS, "responses": _responses("SearchPage", 400)}},
            "/api/articles/{key}": {"get": {"operationId": "getArticle", "summary": "One article",
                                            "parameters": [KEY], "responses": _responses("Article", 400, 404)}},
            "/api/articles/{key}/related": {"get": {"operationId": "relatedArticles",
                                                    "summary": "Articles like one article",
                                                    "parameters": related_params,
                                                    "responses": _responses("Related", 400, 404)}},
            "/api/stats": {"get": {"operationId": "stats", "summary": "What the index holds",
                                   "responses": _responses("Stats")}},
        },
        "components": {"schemas": SCHEMAS},
    }
