"""An administrator requires two-factor sign-in of one account, stops requiring it, or removes a
lost authenticator — on the account's page and with `portal users two-factor`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import authenticator
from portal.auth.models import TotpCredential, User
from portal.auth.roles import Role
from portal.extensions import db
from tests import factories as f
from tests.auth.two_factor_helpers import enrol
from tests.conftest import csrf_from


@pytest.fixture
def people(db_app):
    people = {"admin": f.user("admin1", roles=[Role.ADMIN]), "zhangwei": f.user("zhangwei"), "lina": f.user("lina")}
    db.session.commit()
    return people


def post(client, user_id: int, do: str):
    token = csrf_from(client.get(f"/admin/users/{user_id}").get_data(as_text=True))
    return client.post(f"/admin/users/{user_id}/two-factor", data={"do": do, "csrf_token": token})


def test_an_administrator_requires_and_waives_it_on_the_account_page(db_client, db_auth, people):
    z = people["zhangwei"]
    db_auth.login("admin1", f.PASSWORD)
    assert 'id="admin-two-factor"' in db_client.get(f"/admin/users/{z.id}").get_data(as_text=True)
    assert post(db_client, z.id, "require").status_code == 303
    assert db.session.get(User, z.id).two_factor_required is True
    assert authenticator.required_by(db.session.get(User, z.id)) == "account"
    assert post(db_client, z.id, "waive").status_code == 303
    assert db.session.get(User, z.id).two_factor_required is False
    assert post(db_client, z.id, "nonsense").status_code == 400
    changes = db.session.scalars(select(AuditEvent.after).where(AuditEvent.action == "user_updated")).all()
    assert changes == ['{"two_factor_required":true}', '{"two_factor_required":false}']


def test_removing_a_lost_authenticator(db_app, db_client, db_auth, people):
    from datetime import datetime

    z = people["zhangwei"]
    enrol(z, datetime(2027, 3, 1, 1, 0))
    db.session.commit()
    db_auth.login("admin1", f.PASSWORD)
    assert post(db_client, z.id, "reset").status_code == 303
    assert db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == z.id)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "two_factor_disabled"))
    assert event.actor_name == "admin1" and event.subject_name == "zhangwei"


def test_only_administrators_may(db_client, db_auth, people):
    db_auth.login("lina", f.PASSWORD)
    token = db_auth.csrf("/")
    r = db_client.post(f"/admin/users/{people['zhangwei'].id}/two-factor", data={"do": "require", "csrf_token": token})
    assert r.status_code == 403
    assert db.session.get(User, people["zhangwei"].id).two_factor_required is False


def test_the_command(db_app, people):
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["users", "two-factor", "zhangwei", "--require"])
    assert result.exit_code == 0 and "required by account" in result.output
    assert runner.invoke(args=["users", "two-factor", "zhangwei"]).exit_code == 2
    result = runner.invoke(args=["users", "two-factor", "zhangwei", "--waive"])
    assert "required by nobody" in result.output
