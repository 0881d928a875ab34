"""A failing approval post changes nothing: no request row, no steps, no history, no notification,
no delegation, each checked afresh in a new session; the page answers 4xx with what was typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from portal.approvals import flow, services
from portal.approvals.models import ApprovalEvent, ApprovalRequest, ApprovalStep, Delegation
from portal.auth.models import Department, User
from portal.auth.services import NewUser, create_user
from portal.core.errors import Conflict
from portal.extensions import db
from portal.notify.models import Notification
from tests.conftest import HTMX, Auth

PASSWORD = "Start#2026x"
FORM = {
    "title": "采购显示器",
    "item": "显示器 4 台",
    "category": "it_equipment",
    "budget_code": "IT-07",
    "amount": "8,000",
    "supplier": "某某科技",
    "expected_date": "2026-13-45",  # the one bad field, after all the good ones
    "notes": "旧显示器坏了",
}


@pytest.fixture
def org(app):
    """A finance department: a staff member under a supervisor, a manager, a division leader,
    and a second supervisor who can stand in."""
    with app.app_context():
        db.session.add(Department(code="fin", name="财务部"))
        db.session.commit()
        people = [
            ("boss", "division_leader", None),
            ("mgr", "manager", "boss"),
            ("sup", "supervisor", "mgr"),
            ("sup2", "supervisor", "mgr"),
            ("clerk", "staff", "sup"),
        ]
        for name, position, superior in people:
            create_user(
                NewUser(
                    username=name,
                    password=PASSWORD,
                    display_name=name.upper(),
                    department="fin",
                    position=position,
                    superior=superior,
                )
            )
        db.session.remove()
    return app


@pytest.fixture
def web(org):
    client = org.test_client()
    return client, Auth(client)


def counts(app) -> dict[str, int]:
    """What the database holds, read in a new session (nothing cached from the request)."""
    with app.app_context():
        db.session.remove()
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (ApprovalRequest, ApprovalStep, ApprovalEvent, Notification, Delegation)
        }


NOTHING = {"ApprovalRequest": 0, "ApprovalStep": 0, "ApprovalEvent": 0, "Notification": 0, "Delegation": 0}


def post_request(web, data, step="confirm", route=""):
    client, auth = web
    with client.session_transaction() as session:
        signed_in = "_user_id" in session
    if not signed_in:
        auth.login("clerk", PASSWORD)
    token = auth.csrf("/approvals/new/procurement")
    return client.post("/approvals/new/procurement", data={**data, "step": step, "route": route, "csrf_token": token})


def test_a_request_whose_last_field_is_invalid_writes_nothing_and_keeps_what_was_typed(org, web):
    r = post_request(web, FORM)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="f-expected_date" name="expected_date" value="2026-13-45" aria-invalid="true"' in html
    for name in ("title", "item", "budget_code", "amount", "supplier"):
        assert f'value="{FORM[name]}"' in html, name
    assert "旧显示器坏了</textarea>" in html and 'value="it_equipment" selected' in html
    assert counts(org) == NOTHING


def test_a_failure_after_the_request_and_its_steps_were_written_rolls_all_of_it_back(org, web, monkeypatch):
    """The last write of a submission fails: the request row, its steps and the approver's
    notification were already flushed into the transaction; none of them stays."""
    seen = {}

    def failing_event(req, kind, *args, **kwargs):
        seen["request"] = db.session.scalar(select(func.count()).select_from(ApprovalRequest))
        seen["steps"] = db.session.scalar(select(func.count()).select_from(ApprovalStep))
        seen["notifications"] = db.session.scalar(select(func.count()).select_from(Notification))
        raise services.ApprovalInputError({"route": "the history could not be written"})

    monkeypatch.setattr(services, "_event", failing_event)
    good = {**FORM, "expected_date": "2026-12-24"}
    preview = post_request(web, good, step="preview")
    assert preview.status_code == 200
    fingerprint = preview.get_data(as_text=True).split('name="route" value="')[1].split('"')[0]
    r = post_request(web, good, route=fingerprint)
    html = r.get_data(as_text=True)
    assert seen == {"request": 1, "steps": 1, "notifications": 1}  # it really had been written
    assert r.status_code == 422 and "the history could not be written" in html
    assert 'value="显示器 4 台"' in html and 'value="2026-12-24"' in html
    assert counts(org) == NOTHING


def test_the_route_preview_fragment_writes_nothing(org, web):
    client, auth = web
    auth.login("clerk", PASSWORD)
    token = auth.csrf("/approvals/new/procurement")
    good = {**FORM, "expected_date": "2026-12-24", "csrf_token": token, "step": "confirm"}
    r = client.post("/approvals/new/procurement", data=good, headers=HTMX)
    assert r.status_code == 200 and "SUP" in r.get_data(as_text=True)
    assert counts(org) == NOTHING


def _submitted(app) -> int:
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "clerk"))
        req, _draft = services.submit_request("procurement", "采购显示器", {**FORM, "expected_date": ""}, clerk)
        rid = req.id
        db.session.remove()
    return rid


def _state(app, rid: int):
    with app.app_context():
        db.session.remove()
        req = db.session.get(ApprovalRequest, rid)
        notes = db.session.scalars(select(Notification.kind).order_by(Notification.id)).all()
        return req.state, [(s.state, s.decided_at, s.comment) for s in req.steps], [e.kind for e in req.events], notes


def test_a_decision_that_meets_a_concurrent_change_keeps_nothing_of_itself(org, web, monkeypatch):
    """The step's compare-and-set has already run when the request turns out to have changed
    underneath (its version column): the step stays pending, no history, no notification, and
    the page says to refresh (409) with the comment still in its box."""
    rid = _submitted(org)
    before = _state(org, rid)
    assert before == ("in_progress", [("pending", None, "")], ["submitted"], ["approval_todo"])
    real = flow.decide

    def racing(*args, **kwargs):
        db.session.execute(text("UPDATE approval_requests SET version = version + 1 WHERE id = :id"), {"id": rid})
        return real(*args, **kwargs)

    monkeypatch.setattr(flow, "decide", racing)
    client, auth = web
    auth.login("sup", PASSWORD)
    token = auth.csrf(f"/approvals/{rid}")
    r = client.post(
        f"/approvals/{rid}/decision", data={"decision": "approve", "comment": "同意采购", "csrf_token": token}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "同意采购</textarea>" in html
    assert _state(org, rid) == before


def test_a_bad_decision_changes_nothing(org, web):
    rid = _submitted(org)
    before = _state(org, rid)
    client, auth = web
    auth.login("sup", PASSWORD)
    token = auth.csrf(f"/approvals/{rid}")
    r = client.post(f"/approvals/{rid}/decision", data={"decision": "return", "comment": "", "csrf_token": token})
    assert r.status_code == 422
    assert _state(org, rid) == before


def test_the_service_rolls_back_a_stale_decision_by_itself(org):
    rid = _submitted(org)
    before = _state(org, rid)
    with org.app_context(), org.test_request_context():
        req = db.session.get(ApprovalRequest, rid)
        sup = db.session.scalar(select(User).where(User.username == "sup"))
        db.session.execute(text("UPDATE approval_requests SET version = version + 1 WHERE id = :id"), {"id": rid})
        with pytest.raises(Conflict):
            services.decide(req, sup, "approve", "同意")
    assert _state(org, rid) == before


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (date.today().isoformat(), "2026-02-30"),  # not a date
        (date.today().isoformat(), (date.today() - timedelta(days=1)).isoformat()),  # before the start
        (date.today().isoformat(), (date.today() + timedelta(days=200)).isoformat()),  # too long
    ],
)
def test_a_delegation_with_a_bad_end_date_after_valid_fields_writes_nothing(org, web, starts, ends):
    client, auth = web
    auth.login("sup", PASSWORD)
    token = auth.csrf("/approvals/delegations")
    r = client.post(
        "/approvals/delegations", data={"delegate": "sup2", "starts": starts, "ends": ends, "csrf_token": token}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert '<option value="sup2" selected>' in html
    assert f'name="starts" value="{starts}"' in html and f'name="ends" value="{ends}" aria-invalid="true"' in html
    assert counts(org) == NOTHING


def test_over_the_api_a_bad_last_field_writes_nothing(org):
    from portal.auth.services import create_token

    with org.app_context():
        token = create_token("clerk", "test")
    client = org.test_client()
    r = client.post(
        "/api/v1/approvals",
        json={
            "template": "procurement",
            "title": "采购显示器",
            "amount": 8000,
            "fields": {"item": "显示器", "category": "it_equipment", "budget_code": "IT-07", "expected_date": "x"},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422 and "expected_date" in r.get_json()["error"]["fields"]
    assert counts(org) == NOTHING
