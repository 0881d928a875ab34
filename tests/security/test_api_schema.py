"""Schemathesis over the portal's OpenAPI document (/api/v1/openapi.json): every operation with
generated valid and invalid input, with a bearer token and anonymously, against the WSGI app in a
rolled-back world. No answer may be a 5xx, its status must be one the document lists, and its
body must match the document's schema for that status.

Bounded and repeatable: a fixed number of examples per operation, derandomized."""

from __future__ import annotations

import contextvars
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.api.openapi import openapi_document
from portal.extensions import db
from tests import factories as f
from tests.security.summary import report

EXAMPLES = 30  # per operation and caller
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CALLERS = ("bearer", "anonymous")

schema = schemathesis.openapi.from_dict(openapi_document())  # what /api/v1/openapi.json serves
TALLY: Counter = Counter()  # (caller, status) → requests


class Isolated:
    """The app as a WSGI callable for schemathesis: each request in its own app context (as
    IsolatedClient does for the test client), counted."""

    def __init__(self, app, caller: str):
        self.app, self.caller = app, caller

    def __call__(self, environ, start_response):
        outer = db.session()
        outer.flush()

        def counting(status, headers, *args):
            TALLY[(self.caller, int(status.split()[0]))] += 1
            return start_response(status, headers, *args)

        try:
            return contextvars.Context().run(self.app, environ, counting)
        finally:
            outer.expire_all()


@pytest.fixture
def world(db_app):
    """An employee with a token, his ticket and approval request, a colleague's ticket, and
    indexed FAQs to search."""
    line = f.finance_line()
    faqs = f.sign_in_faqs()
    f.reindex(*faqs, *f.filler_articles())
    f.ticket(line.staff, title="登录不了OA")
    f.ticket(f.user(), title="别人的工单")
    f.approval_request(line.staff)
    headers = f.bearer(line.staff.username)
    db.session.commit()  # a savepoint only
    return db_app, headers


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    fives = sum(n for (_caller, status), n in TALLY.items() if status >= 500)
    operations = len(list(schema.get_all_operations()))
    requests = sum(TALLY.values())
    by_caller = {c: sum(n for (caller, _s), n in TALLY.items() if caller == c) for c in CALLERS}
    report(
        "schemathesis",
        f"{operations} operations × {len(CALLERS)} callers (bearer token, anonymous), "
        f"at most {EXAMPLES} examples each, {requests} requests, {fives} 5xx",
        operations=operations,
        examples_per_operation=EXAMPLES,
        requests=requests,
        by_caller=by_caller,
        server_errors=fives,
        statuses={f"{caller} {status}": n for (caller, status), n in sorted(TALLY.items())},
    )


@pytest.mark.parametrize("caller", CALLERS)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_document(case, world, caller):
    app, headers = world
    case.call_and_validate(app=Isolated(app, caller), headers=headers if caller == "bearer" else None, checks=CHECKS)
