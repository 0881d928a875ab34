"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
TICKET = {"$ref": "#/components/schemas/Ticket"}
APPROVAL = {"$ref": "#/components/schemas/Approval"}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
STAMP = {"type": ["string", "null"], "format": "date-time", "description": "ISO 8601 with offset (+08:00)"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


TOO_MANY = {
    "description": "Over a rate limit of the caller's address (or the whole API's); try again after Retry-After",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": ERROR}},
}


def openapi_document() -> dict:
    doc = _document()
    for operations in doc["paths"].values():  # every call counts towards the API-wide limit
        for operation in operations.values():
            operation["responses"].setdefault("429", TOO_MANY)
    return doc


def _document() -> dict:
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
            "/search": {
                "get": {
                    "summary": "Search FAQs, manual chapters and past cases (solved tickets)",
                    "operationId": "search",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "description": "What the user typed; Whoosh syntax has no special meaning. "
                            "A longer text than the limit (200 characters by default) is searched on its "
                            "first characters and the answer says so (clipped, notice).",
                            "schema": {"type": "string", "minLength": 1},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1},
                        },
                        {
                            "name": "kind",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["faq", "manual", "case"]},
                        },
                        {
                            "name": "category",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Category name, e.g. 登录问题",
                        },
                        {
                            "name": "exact",
                            "in": "query",
                            "schema": {"type": "boolean", "default": False},
                            "description": "Search the text as typed: no typo or pinyin repair",
                        },
                        {
                            "name": "edition",
                            "in": "query",
                            "schema": {"type": "string", "maxLength": 60},
                            "description": "A manual edition, e.g. 2026Q3: search only that edition's chapters. "
                            "Without it, manual chapters come from the current edition only.",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Results, best first",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}},
                        },
                        "400": _error("Empty query, bad limit, page or kind"),
                        "401": _error("The knowledge base is not public and no credentials were sent"),
                    },
                }
            },
            "/suggest": {
                "get": {
                    "summary": "Completion while typing: titles and popular searches",
                    "operationId": "suggest",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "description": "Chinese, full pinyin or initials prefix (报错, baoxiao, bx); "
                            "cut to the query length limit like a search",
                            "schema": {"type": "string", "minLength": 1},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "At most 8 suggestions, best first",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["query", "clipped", "suggestions"],
                                        "properties": {
                                            "query": {"type": "string"},
                                            "clipped": {"type": "boolean"},
                                            "notice": {"type": "string"},
                                            "suggestions": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "text": {"type": "string"},
                                                        "kind": {"type": "string", "enum": ["title", "query"]},
                                                        "url": {"type": ["string", "null"]},
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Empty prefix"),
                    },
                }
            },
            "/tickets": {
                "post": {
                    "summary": "File a ticket as the authenticated user",
                    "operationId": "createTicket",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TicketInput"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "The ticket with its SLA due times. `assignee` is set by "
                            "the assignment job, usually within a second.",
                            "content": {"application/json": {"schema": TICKET}},
                        },
                        "400": _error("Not a JSON object, or a field of the wrong type"),
                        "401": _error("Not authenticated"),
                        "422": _error("Missing title, unknown category or severity, too long text"),
                    },
                },
                "get": {
                    "summary": "My tickets",
                    "operationId": "listTickets",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["open", "done", "all"], "default": "all"},
                        },
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": {
                            "description": "20 per page, latest activity first",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "page": {"type": "integer"},
                                            "tickets": {"type": "array", "items": TICKET},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Unknown state, or a page that is not a whole number"),
                        "401": _error("Not authenticated"),
                    },
                },
            },
            "/tickets/{id}": {
                "get": {
                    "summary": "One ticket: the requester's own, or any for support staff",
                    "operationId": "getTicket",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {"description": "The ticket", "content": {"application/json": {"schema": TICKET}}},
                        "401": _error("Not authenticated"),
                        "404": _error("No such ticket, or another employee's ticket"),
                    },
                }
            },
            "/approvals": {
                "post": {
                    "summary": "Submit an approval request as the authenticated user",
                    "description": "The same templates, validation and routing rules as the web form. The "
                    "route is computed now from the amount, the requester's position and "
                    "department (authority matrix; fast track over 1,000,000 CNY or across "
                    "departments). Descriptive template fields may be left out by a business "
                    "system (listed in `missing_fields`); every value sent is checked.",
                    "operationId": "createApproval",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApprovalInput"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "The request with its computed route and due times",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "allOf": [
                                            APPROVAL,
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "missing_fields": {"type": "array", "items": {"type": "string"}}
                                                },
                                            },
                                        ]
                                    }
                                }
                            },
                        },
                        "400": _error("Not a JSON object, or a value of the wrong type"),
                        "401": _error("Not authenticated"),
                        "422": _error(
                            "Unknown template, missing title, invalid amount or field value "
                            "(error.fields names each), or no approver in the org chart (code `route`)"
                        ),
                    },
                },
                "get": {
                    "summary": "My approval lists",
                    "operationId": "listApprovals",
                    "parameters": [
                        {
                            "name": "box",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["todo", "in_progress", "done", "all"],
                                "default": "todo",
                            },
                            "description": "todo: waiting for my decision, or mine returned for changes; "
                            "in_progress / done: mine or ones I decided; all: administrators",
                        },
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": {
                            "description": "20 per page",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "box": {"type": "string"},
                                            "total": {"type": "integer"},
                                            "page": {"type": "integer"},
                                            "approvals": {"type": "array", "items": APPROVAL},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Unknown box"),
                        "401": _error("Not authenticated"),
                    },
                },
            },
            "/approvals/{id}": {
                "get": {
                    "summary": "One approval request: the requester's, one routed to the caller, or any for admins",
                    "operationId": "getApproval",
                    "parameters": [ID_PARAM],
                    "responses": {
                        "200": {"description": "The request", "content": {"application/json": {"schema": APPROVAL}}},
                        "401": _error("Not authenticated"),
                        "404": _error("No such request, or not one the caller may see"),
                    },
                }
            },
            "/approvals/{id}/decision": {
                "post": {
                    "summary": "Decide the step waiting for the caller (or for the approver they stand in for)",
                    "operationId": "decideApproval",
                    "parameters": [ID_PARAM],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["decision"],
                                    "properties": {
                                        "decision": {"type": "string", "enum": ["approve", "reject", "return"]},
                                        "comment": {
                                            "type": "string",
                                            "maxLength": 2000,
                                            "description": "Required to return for changes",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The request after the decision",
                            "content": {"application/json": {"schema": APPROVAL}},
                        },
                        "400": _error("Not a JSON object with a decision"),
                        "401": _error("Not authenticated"),
                        "403": _error("The step waiting is not the caller's (or it is their own request)"),
                        "404": _error("No such request, or not one the caller may see"),
                        "409": _error(
                            "The decision is no longer possible: the step was decided "
                            "(also by a simultaneous request), or the request is finished"
                        ),
                        "422": _error("Unknown decision, or a return without a comment"),
                    },
                }
            },
            "/me": {
                "get": {
                    "summary": "The authenticated user",
                    "operationId": "me",
                    "responses": {
                        "200": {
                            "description": "The user",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}},
                        },
                        "401": _error("Not authenticated"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "SearchResults": {
                    "type": "object",
                    "required": ["query", "clipped", "corrected", "total", "results"],
                    "properties": {
                        "query": {"type": "string", "description": "What was searched: the text, cut to the limit"},
                        "clipped": {"type": "boolean", "description": "The text was longer than the limit"},
                        "notice": {"type": "string", "description": "Present when clipped: the words saying so"},
                        "corrected": {
                            "type": ["string", "null"],
                            "description": "What was searched instead of a misspelt or pinyin query, the rest as "
                            "typed; null when the words were searched as typed (folding width, case or "
                            "traditional characters alone is not reported)",
                        },
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
                    },
                },
                "SearchHit": {
                    "type": "object",
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
                    },
                },
                "TicketInput": {
                    "type": "object",
                    "required": ["title", "category"],
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": 200},
                        "description": {"type": "string", "maxLength": 10000},
                        "category": {
                            "type": ["string", "integer"],
                            "description": "Category name (登录问题, 权限问题, 数据错误, 操作指南 …), its id, "
                            "or login / permission / data / howto",
                        },
                        "severity": {"type": "string", "enum": ["urgent", "normal"], "default": "normal"},
                        "contact": {"type": "string", "maxLength": 120},
                    },
                },
                "Ticket": {
                    "type": "object",
                    "required": ["id", "state", "assignee", "created_at", "first_response_due", "resolution_due"],
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "string", "examples": ["T000042"]},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "category": {"type": "string"},
                        "severity": {"type": "string", "enum": ["urgent", "normal"]},
                        "complexity": {
                            "type": "string",
                            "enum": ["standard", "simple", "complex"],
                            "description": "the service tier: standard (respond in 1 h, solve in 4 h by default), "
                            "simple (1 working day), complex (3 working days)",
                        },
                        "state": {
                            "type": "string",
                            "enum": ["pending", "in_progress", "waiting", "resolved", "closed", "reopened"],
                        },
                        "requester": {"type": "string"},
                        "assignee": {"type": ["string", "null"]},
                        "channel": {"type": "string", "enum": ["web", "phone", "email", "chat"]},
                        "created_at": STAMP,
                        "updated_at": STAMP,
                        "first_response_due": STAMP,
                        "resolution_due": {
                            **STAMP,
                            "description": "null while the clock is paused (waiting for the requester)",
                        },
                        "first_response_at": STAMP,
                        "resolved_at": STAMP,
                        "closed_at": STAMP,
                        "waiting_reason": {"type": ["string", "null"]},
                        "expected_at": {
                            **STAMP,
                            "description": "the engineer's new expected time after a due time passed (null: none)",
                        },
                        "expected_reason": {"type": ["string", "null"], "description": "why it takes longer"},
                        "solution": {"type": ["string", "null"]},
                        "rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                        "url": {"type": "string"},
                    },
                },
                "ApprovalInput": {
                    "type": "object",
                    "required": ["template", "title"],
                    "properties": {
                        "template": {
                            "type": "string",
                            "enum": ["procurement", "leave", "expense", "generic"],
                            "description": "Or a template an administrator added",
                        },
                        "title": {"type": "string", "minLength": 1, "maxLength": 200},
                        "amount": {
                            "type": ["number", "string"],
                            "minimum": 0,
                            "description": 'CNY; required by procurement and expense ("1,200,000" is accepted)',
                        },
                        "target_department": {
                            "type": ["string", "integer"],
                            "description": "Department code, name or id the item is for; "
                            "another department than the requester's takes the fast track",
                        },
                        "fields": {
                            "type": "object",
                            "additionalProperties": True,
                            "description": "The template's fields by name (see the template files)",
                        },
                    },
                },
                "ApprovalStep": {
                    "type": "object",
                    "required": ["step", "position", "approver", "state"],
                    "properties": {
                        "step": {"type": "integer", "minimum": 1},
                        "round": {"type": "integer"},
                        "position": {"type": "string", "enum": ["supervisor", "manager", "division_leader"]},
                        "approver": {"type": "string", "description": "username"},
                        "approver_name": {"type": "string"},
                        "acting_for": {
                            "type": ["string", "null"],
                            "description": "the absent approver a delegate stands in for",
                        },
                        "state": {
                            "type": "string",
                            "enum": ["waiting", "pending", "approved", "rejected", "returned", "skipped"],
                        },
                        "started_at": STAMP,
                        "due_at": STAMP,
                        "decided_at": STAMP,
                        "overdue": {"type": "boolean"},
                        "comment": {"type": ["string", "null"]},
                    },
                },
                "Approval": {
                    "type": "object",
                    "required": ["id", "template", "state", "route", "due_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "string", "examples": ["A000042"]},
                        "template": {"type": "string"},
                        "title": {"type": "string"},
                        "amount": {"type": "number"},
                        "state": {
                            "type": "string",
                            "enum": ["in_progress", "approved", "rejected", "returned", "withdrawn"],
                        },
                        "fast_track": {"type": "boolean"},
                        "route_reason": {"type": "string", "enum": ["amount", "major_amount", "cross_department"]},
                        "round": {"type": "integer", "description": "1, plus one per resubmission after a return"},
                        "requester": {"type": "string"},
                        "department": {"type": ["string", "null"]},
                        "target_department": {"type": ["string", "null"]},
                        "fields": {"type": "object"},
                        "route": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/ApprovalStep"},
                            "description": "The steps of the current round, in order",
                        },
                        "current_step": {"type": ["integer", "null"]},
                        "submitted_at": STAMP,
                        "due_at": {
                            **STAMP,
                            "description": "Fast track: 24 hours on working days for the whole request; "
                            "otherwise every step taking its full time",
                        },
                        "decided_at": STAMP,
                        "source": {"type": "string", "enum": ["web", "api"]},
                        "url": {"type": "string"},
                        "history": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "kind": {"type": "string"},
                                    "actor": {"type": ["string", "null"]},
                                    "comment": {"type": ["string", "null"]},
                                    "at": STAMP,
                                },
                            },
                        },
                    },
                },
                "User": {
                    "type": "object",
                    "properties": {
                        "username": {"type": "string"},
                        "display_name": {"type": "string"},
                        "roles": {"type": "array", "items": {"type": "string"}},
                        "department": {"type": ["string", "null"]},
                        "region": {"type": ["string", "null"]},
                        "position": {"type": "string"},
                        "superior": {"type": ["string", "null"]},
                    },
                },
            },
        },
    }
