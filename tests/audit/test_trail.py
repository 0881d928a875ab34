"""The audit trail: the chain (pure), recording inside a unit of work, tamper detection by
`portal audit verify`, `portal audit list --json`, the admin viewer and its export, and the acts
that are recorded (sign-ins, support opening an employee's ticket)."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from portal.audit import chain, queries
from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.core.uow import unit_of_work
from portal.extensions import db
from tests import factories as f
from tests.conftest import csrf_from

T0 = datetime(2027, 3, 1, 1, 0)


def row(i: int, prev: str, **kw) -> dict:
    r = {
        "id": i,
        "at": T0,
        "action": "sign_in",
        "actor_id": 1,
        "actor_name": "a",
        "subject_id": None,
        "subject_name": "",
        "target": "",
        "ip": "",
        "before": "",
        "after": "",
        "detail": "",
        "prev_hash": prev,
        **kw,
    }
    r["hash"] = chain.digest(r)
    return r


def a_chain(n: int) -> list[dict]:
    rows, prev = [], chain.GENESIS
    for i in range(1, n + 1):
        rows.append(row(i, prev))
        prev = rows[-1]["hash"]
    return rows


# --- the chain, pure ------------------------------------------------------------------------


def test_an_intact_chain_has_no_break():
    assert chain.first_break(a_chain(5)) is None


def test_an_edited_row_a_deleted_row_and_an_inserted_row_are_found():
    edited = a_chain(5)
    edited[2] = {**edited[2], "detail": '{"x":1}'}
    assert chain.first_break(edited) == chain.Break(3, "edited")
    deleted = a_chain(5)
    del deleted[2]
    assert chain.first_break(deleted) == chain.Break(4, "missing")
    inserted = a_chain(5)
    inserted.insert(2, row(99, inserted[1]["hash"]))
    assert chain.first_break(inserted) == chain.Break(3, "missing")


def test_canonical_json_is_stable():
    assert chain.canonical({"b": 1, "a": "张"}) == '{"a":"张","b":1}'
    assert chain.canonical(None) == chain.canonical({}) == ""


# --- recording ------------------------------------------------------------------------------


@pytest.fixture
def people(db_app):
    people = {
        "zhangwei": f.user("zhangwei", display_name="张伟"),
        "support": f.user("liu.support", roles=[Role.SUPPORT]),
        "admin": f.user("admin1", roles=[Role.ADMIN]),
    }
    db.session.commit()
    return people


def test_rows_are_chained_and_verify(people):
    for i in range(3):
        audit.record_now(
            "user_updated",
            actor=people["admin"],
            subject=people["zhangwei"],
            target="user:zhangwei",
            before={"n": i},
            after={"n": i + 1},
        )
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == chain.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    verdict = queries.verify()
    assert verdict.rows == 3 and verdict.broken is None and verdict.head == rows[-1].hash


def test_an_event_is_undone_with_the_work_it_records(people):
    with pytest.raises(RuntimeError), unit_of_work():
        audit.record("roles_changed", actor=people["admin"], subject=people["zhangwei"])
        raise RuntimeError("the change failed")
    assert db.session.scalar(select(AuditEvent.id)) is None


def test_verify_from_the_command_line_finds_an_edited_and_a_deleted_row(db_app, people):
    for i in range(4):
        audit.record_now("export", actor=people["admin"], detail={"rows": i})
    runner = db_app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "4 events" in ok.output
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.execute(text("UPDATE audit_events SET detail = :d WHERE id = :i"), {"d": '{"rows":99}', "i": ids[1]})
    db.session.commit()
    edited = runner.invoke(args=["audit", "verify"])
    assert edited.exit_code == 1 and f"event {ids[1]}" in edited.output and "edited" in edited.output
    db.session.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[1]})
    db.session.commit()
    missing = runner.invoke(args=["audit", "verify"])
    assert missing.exit_code == 1 and f"event {ids[2]}" in missing.output and "missing" in missing.output


def test_support_opening_an_employees_ticket_is_listed_by_the_command(db_app, db_client, db_auth, people):
    ticket = f.ticket(people["zhangwei"], title="报销单无法提交")
    db.session.commit()
    db_auth.login("zhangwei", f.PASSWORD)
    assert db_client.get(f"/tickets/{ticket.id}").status_code == 200  # one's own: not recorded
    db_auth.logout()
    db_auth.login("liu.support", f.PASSWORD)
    assert db_client.get(f"/tickets/{ticket.id}").status_code == 200
    assert db_client.get(f"/tickets/{ticket.id}", headers={"HX-Request": "true"}).status_code == 200  # refresh
    result = db_app.test_cli_runner().invoke(args=["audit", "list", "--json", "--action", "view_ticket"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert [(e["actor"], e["subject"], e["target"]) for e in events] == [
        ("liu.support", "zhangwei", f"ticket:{ticket.id}")
    ]
    by_actor = db_app.test_cli_runner().invoke(args=["audit", "list", "--json", "--actor", "zhangwei"])
    assert {e["action"] for e in json.loads(by_actor.output)} == {"sign_in", "sign_out"}


def test_wrong_passwords_and_the_lock_are_recorded(db_app, db_client, db_auth, people):
    for _i in range(5):
        db_auth.login("zhangwei", "wrong-Pass1!")
    db_auth.login("nobody", "x")
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [r.action for r in rows] == ["sign_in_failed"] * 5 + ["account_locked", "sign_in_failed"]
    assert rows[-1].actor_id is None and json.loads(rows[-1].detail) == {"reason": "unknown", "username": "nobody"}
    assert rows[0].ip == "127.0.0.1"
    assert "wrong-Pass1!" not in " ".join(r.detail for r in rows)


# --- the viewer -----------------------------------------------------------------------------


def test_only_admins_open_the_viewer(db_client, db_auth, people):
    assert db_client.get("/admin/audit/").status_code == 302
    db_auth.login("liu.support", f.PASSWORD)
    assert db_client.get("/admin/audit/").status_code == 403
    assert db_client.get("/admin/audit/export.xlsx").status_code == 403


def test_the_viewer_filters_pages_and_exports(db_client, db_auth, people):
    for i in range(60):
        audit.record_now("view_ticket", actor=people["support"], subject=people["zhangwei"], target=f"ticket:{i}")
    audit.record_now(
        "roles_changed",
        actor=people["admin"],
        subject=people["zhangwei"],
        target="user:zhangwei",
        before={"roles": ["employee"]},
        after={"roles": ["employee", "support"]},
    )
    db_auth.login("admin1", f.PASSWORD)
    page = db_client.get("/admin/audit/?action=view_ticket").get_data(as_text=True)
    assert "60 个事件" in page and "查看员工工单" in page and 'rel="next"' in page
    second = db_client.get("/admin/audit/?action=view_ticket&page=2").get_data(as_text=True)
    assert second.count("ticket:") >= 10
    roles = db_client.get("/admin/audit/?subject=zhangwei&action=roles_changed").get_data(as_text=True)
    assert "support" in roles and "1 个事件" in roles
    empty = db_client.get("/admin/audit/?actor=nobody").get_data(as_text=True)
    assert 'id="audit-empty"' in empty
    bad = db_client.get("/admin/audit/?from=not-a-day&to=2027-13-45")
    assert bad.status_code == 200
    export = db_client.get("/admin/audit/export.xlsx?action=view_ticket")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    values = list(sheet.values)
    assert len(values) == 61 and values[1][1] == "查看员工工单" and values[1][3] == "zhangwei"
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert last.action == "export" and json.loads(last.detail)["rows"] == 60


def test_the_viewer_escapes_what_was_recorded(db_client, db_auth, people):
    audit.record_now("sign_in_failed", detail={"username": "<script>alert(1)</script>"})
    db_auth.login("admin1", f.PASSWORD)
    page = db_client.get("/admin/audit/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_logout_token_from_the_viewer_works(db_client, db_auth, people):
    db_auth.login("admin1", f.PASSWORD)
    token = csrf_from(db_client.get("/admin/audit/").get_data(as_text=True))
    assert db_client.post("/logout", data={"csrf_token": token}).status_code == 303
