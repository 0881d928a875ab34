"""The authorization matrix: every endpoint of `app.url_map`, every GET and POST, for every
principal of tests/security/access_table.py, against someone else's objects.

One world per module (tests/security/world.py) in one rolled-back transaction; each request runs
in a savepoint of its own that is rolled back after it, so a POST that succeeds (a decision, a
withdrawal …) changes nothing for the next one. Every principal has its own signed-in client and
posts with its session's CSRF token (a CSRF refusal fails the test: it would hide the access
check behind a 400)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from flask import Flask, request, url_for
from flask_wtf.csrf import CSRFError

from portal import create_app
from portal.extensions import db
from tests.conftest import Auth, make_config, rolled_back_app
from tests.security import access_table as table
from tests.security.summary import report
from tests.security.world import World, build_world

ENTRIES = table.entries()
CASES = [
    (endpoint, n, method, principal)
    for endpoint, rows in ENTRIES.items()
    for n, entry in enumerate(rows)
    for method in ("GET", "POST")
    if entry.allowed(method) is not None
    for principal in table.PRINCIPALS
]


def _case_id(endpoint: str, n: int, method: str, principal: str) -> str:
    label = ENTRIES[endpoint][n].label
    return f"{endpoint}{f'[{label}]' if label else ''}-{method}-{principal}"


CHECKED_METHODS = {"GET", "POST"}


Route = tuple[str, set[str], set[str]]  # rule, its GET/POST methods, its URL arguments


def _routes(app: Flask) -> dict[str, Route]:
    out: dict[str, Route] = {}
    for rule in app.url_map.iter_rules():
        rule_text, methods, arguments = out.get(rule.endpoint, (rule.rule, set(), set(rule.arguments)))
        out[rule.endpoint] = (rule_text, methods | (set(rule.methods or ()) & CHECKED_METHODS), arguments)
    return out


@pytest.fixture(scope="module")
def routes(tmp_path_factory) -> dict[str, Route]:
    return _routes(create_app(make_config(tmp_path_factory.mktemp("routes"))))


# --- the table against the url_map ---------------------------------------------------------------


def test_every_endpoint_has_an_entry(routes):
    missing = []
    for endpoint, (rule, methods, _args) in sorted(routes.items()):
        if endpoint in ENTRIES:
            continue
        blueprint = table.blueprint_of(endpoint)
        where = f"{table.table_name(blueprint)} in tests/security/access_table.py"
        if blueprint not in table.BLUEPRINTS:
            where += f" (a new blueprint: add that dict and list it in BLUEPRINTS as {blueprint!r})"
        missing.append(f"{endpoint} ({'/'.join(sorted(methods))} {rule}): add it to {where}")
    assert not missing, "endpoints without an access entry (who may call them?):\n  " + "\n  ".join(missing)


def test_every_entry_names_an_existing_endpoint(routes):
    vanished = sorted(set(ENTRIES) - set(routes))
    assert not vanished, f"access entries for endpoints that no longer exist (remove them): {vanished}"


def test_every_entry_covers_exactly_the_methods_of_its_route(routes):
    wrong = []
    for endpoint, (rule, methods, _args) in sorted(routes.items()):
        entry = ENTRIES.get(endpoint)
        if entry is None:
            continue
        first, *more = entry
        for method in sorted(CHECKED_METHODS):
            has = first.allowed(method) is not None
            if has != (method in methods):
                wrong.append(
                    f"{endpoint} ({rule}): the route {'has' if method in methods else 'has no'} {method}, "
                    f"its entry {'says who may' if has else 'has no'} {method.lower()}="
                )
            for extra in more:
                if extra.allowed(method) is not None and method not in methods:
                    wrong.append(f"{endpoint} [{extra.label}]: the route has no {method}")
    assert not wrong, "\n".join(wrong)


def test_every_url_argument_is_built_from_the_world(routes, matrix):
    wrong = []
    for endpoint, rows in sorted(ENTRIES.items()):
        if endpoint not in routes:
            continue
        rule, _methods, arguments = routes[endpoint]
        for entry in rows:
            if set(entry.args) != arguments:
                wrong.append(f"{endpoint} ({rule}): args= must name {sorted(arguments)}, names {sorted(entry.args)}")
            unknown = sorted(set(entry.args.values()) - set(matrix.world.values))
            if unknown:
                wrong.append(f"{endpoint}: {unknown} are not keys of World.values (tests/security/world.py)")
    assert not wrong, "\n".join(wrong)


# --- the matrix ----------------------------------------------------------------------------------


@dataclass
class Matrix:
    app: Flask
    world: World
    clients: dict = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    csrf_refused: list[str] = field(default_factory=list)
    signed_out: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)
    requests: int = 0

    def sign_in(self, principal: str) -> None:
        client = self.app.test_client()
        auth = Auth(client)
        username = self.world.accounts[principal]
        if username is not None:
            response = auth.login(username)
            assert response.status_code == 303, f"{principal} ({username}) could not sign in: {response.status}"
        self.clients[principal] = client
        self.tokens[principal] = auth.csrf("/login" if username is None else "/")

    def url(self, endpoint: str, entry: table.Entry) -> str:
        values = {arg: self.world.values[key] for arg, key in entry.args.items()}
        with self.app.test_request_context():
            return url_for(endpoint, **values, **entry.query)

    def call(self, principal: str, endpoint: str, method: str, entry: table.Entry):
        client, token = self.clients[principal], self.tokens[principal]
        url = self.url(endpoint, entry)
        self.requests += 1
        headers = {"X-CSRFToken": token}
        if method == "GET":
            response = client.get(url)
        elif entry.json is not None:
            response = client.post(url, json=dict(entry.json), headers=headers)
        else:
            response = client.post(url, data={"csrf_token": token, **entry.form}, headers=headers)
        response.get_data()  # a file download streams: read it and close the file
        response.close()
        self.statuses[response.status_code] += 1
        return url, response


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, schema_db):
    with rolled_back_app(tmp_path_factory.mktemp("matrix"), schema_db) as app:
        world = build_world()
        db.session.commit()  # a savepoint of the module's transaction only
        m = Matrix(app, world)
        original = app.error_handler_spec[None][400][CSRFError]

        def csrf_refused(err):
            m.csrf_refused.append(f"{request.method} {request.path}")
            return original(err)

        app.register_error_handler(CSRFError, csrf_refused)
        for principal in table.PRINCIPALS:
            m.sign_in(principal)
        yield m
    endpoints = len({e for e, _, _, _ in CASES})
    pairs = len({(e, meth) for e, _, meth, _ in CASES})
    fives = sum(n for s, n in m.statuses.items() if s >= 500)
    report(
        "matrix",
        f"{endpoints} endpoints ({pairs} endpoint-methods, {len(CASES) // len(table.PRINCIPALS)} with the "
        f"object variants) × {len(table.PRINCIPALS)} principals, "
        f"{m.requests} requests ({m.verdicts['allowed']} allowed, {m.verdicts['denied']} denied), {fives} 5xx",
        endpoints=endpoints,
        endpoint_methods=pairs,
        principals=list(table.PRINCIPALS),
        requests=m.requests,
        allowed=m.verdicts["allowed"],
        denied=m.verdicts["denied"],
        server_errors=fives,
        statuses={str(k): v for k, v in sorted(m.statuses.items())},
    )


@pytest.fixture
def isolated(matrix):
    """The request's writes are rolled back after it (a savepoint of the module's transaction)."""
    connection = db.session().bind
    savepoint = connection.begin_nested()
    try:
        yield matrix
    finally:
        db.session.remove()
        if savepoint.is_active:
            savepoint.rollback()
        # a sign-in opens a server-side session: done after the rollback, or it would be undone
        while matrix.signed_out:
            matrix.sign_in(matrix.signed_out.pop())


def judge(principal: str, entry: table.Entry, allowed: bool, response) -> str | None:
    """Why this answer is wrong for this principal, or None."""
    status = response.status_code
    to_login = status in (301, 302, 303, 307, 308) and urlsplit(response.location or "").path == "/login"
    if status >= 500:
        return f"server error {status}"
    if entry.sign_in_step:
        return None if to_login else f"no sign-in in progress: must be sent to sign in, got {status}"
    if allowed:
        if status in (401, 403, 404) or to_login:
            return f"allowed, but refused with {status}{' (to sign-in)' if to_login else ''}"
        return None
    if principal == table.ANONYMOUS and (status == 401 or to_login):
        return None
    if entry.hidden:
        return None if status == 404 else f"the object is hidden: must be 404, got {status}"
    if principal == table.ANONYMOUS:
        return None if status == 401 or to_login else f"anonymous must get 401 or the sign-in page, got {status}"
    return None if status in (403, 404) else f"must be refused with 403 or 404, got {status}"


@pytest.mark.parametrize(("endpoint", "n", "method", "principal"), CASES, ids=[_case_id(*c) for c in CASES])
def test_access(isolated, endpoint, n, method, principal):
    m = isolated
    entry = ENTRIES[endpoint][n]
    allowed = principal in entry.allowed(method)
    refused_before = len(m.csrf_refused)
    url, response = m.call(principal, endpoint, method, entry)
    m.verdicts["allowed" if allowed else "denied"] += 1
    if entry.signs_out:  # signed in again once this request's writes are rolled back (`isolated`)
        m.signed_out.append(principal)
    assert len(m.csrf_refused) == refused_before, f"{method} {url}: the CSRF token was refused"
    problem = judge(principal, entry, allowed, response)
    assert problem is None, f"{method} {url} as {principal}: {problem}"
