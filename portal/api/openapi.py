"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""
from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OA self-service portal API",
            "version": "1",
            "description": "Search the knowledge base from chat robots and business systems. "
                           "Authenticate with `Authorization: Bearer <token>` "
                           "(`portal token create --username U`) or a signed-in session.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {}],
        "paths": {
            "/search": {"get": {
                "summary": "Search FAQs and manual chapters",
                "operationId": "search",
                "parameters": [
                    {"name": "q", "in": "query", "required": True,
                     "description": "What the user typed; Whoosh syntax has no special meaning.",
                     "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                 "maximum": 50, "default": 10}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                "maximum": 1000, "default": 1}},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["faq", "manual"]}},
                    {"name": "category", "in": "query", "schema": {"type": "string"},
                     "description": "Category name, e.g. 登录问题"},
                    {"name": "exact", "in": "query", "schema": {"type": "boolean", "default": False},
                     "description": "Search the text as typed: no typo or pinyin repair"},
                ],
                "responses": {
                    "200": {"description": "Results, best first",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}}},
                    "400": _error("Empty or over-long query, bad limit, page or kind"),
                    "401": _error("The knowledge base is not public and no credentials were sent"),
                },
            }},
            "/suggest": {"get": {
                "summary": "Completion while typing: titles and popular searches",
                "operationId": "suggest",
                "parameters": [{"name": "q", "in": "query", "required": True,
                                "description": "Chinese, full pinyin or initials prefix (报错, baoxiao, bx)",
                                "schema": {"type": "string", "minLength": 1, "maxLength": 200}}],
                "responses": {
                    "200": {"description": "At most 8 suggestions, best first", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["query", "suggestions"], "properties": {
                            "query": {"type": "string"},
                            "suggestions": {"type": "array", "items": {"type": "object", "properties": {
                                "text": {"type": "string"}, "kind": {"type": "string", "enum": ["title", "query"]},
                                "url": {"type": ["string", "null"]}}}}}}}}},
                    "400": _error("Empty or over-long prefix"),
                },
            }},
            "/me": {"get": {
                "summary": "The authenticated user",
                "operationId": "me",
                "responses": {"200": {"description": "The user",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                              "401": _error("Not authenticated")},
            }},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["status", "message"],
                    "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                                   "message": {"type": "string"}}}}},
                "SearchResults": {"type": "object", "required": ["query", "corrected", "total", "results"], "properties": {
                    "query": {"type": "string"},
                    "corrected": {"type": ["string", "null"],
                                  "description": "What was searched instead of a misspelt or pinyin query"},
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
                }},
                "SearchHit": {"type": "object",
                              "required": ["id", "external_id", "kind", "title", "url", "snippet", "score"],
                              "properties": {
                                  "id": {"type": "integer"},
                                  "external_id": {"type": ["string", "null"]},
                                  "kind": {"type": "string", "enum": ["faq", "manual"]},
                                  "category": {"type": "string"},
                                  "title": {"type": "string"},
                                  "url": {"type": "string", "format": "uri"},
                                  "snippet": {"type": "string", "description": "HTML; matches in <mark>"},
                                  "score": {"type": "number"},
                              }},
                "User": {"type": "object", "properties": {
                    "username": {"type": "string"}, "display_name": {"type": "string"},
                    "roles": {"type": "array", "items": {"type": "string"}},
                    "department": {"type": ["string", "null"]}, "region": {"type": ["string", "null"]},
                    "position": {"type": "string"}, "superior": {"type": ["string", "null"]}}},
            },
        },
    }
