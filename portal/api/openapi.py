"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""
from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
TICKET = {"$ref": "#/components/schemas/Ticket"}
STAMP = {"type": ["string", "null"], "format": "date-time", "description": "ISO 8601 with offset (+08:00)"}


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
                "summary": "Search FAQs, manual chapters and past cases (solved tickets)",
                "operationId": "search",
                "parameters": [
                    {"name": "q", "in": "query", "required": True,
                     "description": "What the user typed; Whoosh syntax has no special meaning.",
                     "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                 "maximum": 50, "default": 10}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                "maximum": 1000, "default": 1}},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["faq", "manual", "case"]}},
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
            "/tickets": {
                "post": {
                    "summary": "File a ticket as the authenticated user",
                    "operationId": "createTicket",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/TicketInput"}}}},
                    "responses": {
                        "201": {"description": "The ticket with its SLA due times. `assignee` is set by "
                                               "the assignment job, usually within a second.",
                                "content": {"application/json": {"schema": TICKET}}},
                        "400": _error("Not a JSON object, or a field of the wrong type"),
                        "401": _error("Not authenticated"),
                        "422": _error("Missing title, unknown category or severity, too long text"),
                    },
                },
                "get": {
                    "summary": "My tickets",
                    "operationId": "listTickets",
                    "parameters": [{"name": "state", "in": "query", "schema": {
                        "type": "string", "enum": ["open", "done", "all"], "default": "all"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                    "responses": {"200": {"description": "20 per page, latest activity first", "content": {
                        "application/json": {"schema": {"type": "object", "properties": {
                            "total": {"type": "integer"}, "page": {"type": "integer"},
                            "tickets": {"type": "array", "items": TICKET}}}}}},
                        "401": _error("Not authenticated")},
                },
            },
            "/tickets/{id}": {"get": {
                "summary": "One ticket: the requester's own, or any for support staff",
                "operationId": "getTicket",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "The ticket", "content": {"application/json": {"schema": TICKET}}},
                              "401": _error("Not authenticated"),
                              "404": _error("No such ticket, or another employee's ticket")},
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
                                  "kind": {"type": "string", "enum": ["faq", "manual", "case"]},
                                  "category": {"type": "string"},
                                  "title": {"type": "string"},
                                  "url": {"type": "string", "format": "uri"},
                                  "snippet": {"type": "string", "description": "HTML; matches in <mark>"},
                                  "score": {"type": "number"},
                              }},
                "TicketInput": {"type": "object", "required": ["title", "category"], "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "description": {"type": "string", "maxLength": 10000},
                    "category": {"type": ["string", "integer"],
                                 "description": "Category name (登录问题, 权限问题, 数据错误, 操作指南 …), its id, "
                                                "or login / permission / data / howto"},
                    "severity": {"type": "string", "enum": ["urgent", "normal"], "default": "normal"},
                    "contact": {"type": "string", "maxLength": 120}}},
                "Ticket": {"type": "object", "required": ["id", "state", "assignee", "created_at",
                                                          "first_response_due", "resolution_due"], "properties": {
                    "id": {"type": "integer"}, "number": {"type": "string", "examples": ["T000042"]},
                    "title": {"type": "string"}, "description": {"type": "string"},
                    "category": {"type": "string"},
                    "severity": {"type": "string", "enum": ["urgent", "normal"]},
                    "complexity": {"type": "string", "enum": ["simple", "complex"]},
                    "state": {"type": "string", "enum": ["pending", "in_progress", "waiting", "resolved",
                                                         "closed", "reopened"]},
                    "requester": {"type": "string"}, "assignee": {"type": ["string", "null"]},
                    "channel": {"type": "string", "enum": ["web", "phone", "email", "chat"]},
                    "created_at": STAMP, "updated_at": STAMP, "first_response_due": STAMP,
                    "resolution_due": {**STAMP, "description": "null while the clock is paused (waiting for the requester)"},
                    "first_response_at": STAMP, "resolved_at": STAMP, "closed_at": STAMP,
                    "waiting_reason": {"type": ["string", "null"]}, "solution": {"type": ["string", "null"]},
                    "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                    "url": {"type": "string"}}},
                "User": {"type": "object", "properties": {
                    "username": {"type": "string"}, "display_name": {"type": "string"},
                    "roles": {"type": "array", "items": {"type": "string"}},
                    "department": {"type": ["string", "null"]}, "region": {"type": ["string", "null"]},
                    "position": {"type": "string"}, "superior": {"type": ["string", "null"]}}},
            },
        },
    }
