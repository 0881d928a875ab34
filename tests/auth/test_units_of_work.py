"""Account services are units of work: a bad field writes nothing and says which field; inside a
caller's unit of work they join it (and roll back with it)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth import services
from portal.auth.models import ApiToken, User
from portal.core.errors import InvalidInput
from portal.core.uow import unit_of_work
from portal.extensions import db


def _users() -> set[str]:
    db.session.remove()
    return set(db.session.scalars(select(User.username)))


def test_a_bad_last_field_writes_nothing_and_names_every_field(app):
    with app.app_context():
        before = _users()
        spec = services.NewUser(username="newbie", password="12345678", region="nowhere", superior="ghost")
        with pytest.raises(services.AccountError) as caught:
            services.create_user(spec)
        assert isinstance(caught.value, InvalidInput) and caught.value.status == 422
        assert set(caught.value.errors) == {"password", "region", "superior"}
        assert "密码至少需要" in caught.value.message and "unknown superior 'ghost'" in caught.value.message
        assert _users() == before


def test_create_user_joins_the_callers_unit_of_work(app):
    with app.app_context():
        before = _users()
        with pytest.raises(RuntimeError), unit_of_work():
            services.create_user(services.NewUser(username="first", password="Start#2026x"))
            services.create_user(services.NewUser(username="second", password="Start#2026x"))
            raise RuntimeError("the import fails at the third row")
        assert _users() == before
        services.create_user(services.NewUser(username="first", password="Start#2026x"))
        assert _users() == before | {"first"}


def test_tokens_are_committed_and_record_their_use(app):
    with app.app_context():
        services.create_user(services.NewUser(username="robot", password="Start#2026x"))
        with pytest.raises(services.AccountError):
            services.create_token("nobody")
        token = services.create_token("robot", "chat robot")
        db.session.remove()
        assert services.user_for_token(token).username == "robot"
        db.session.remove()
        row = db.session.scalar(select(ApiToken))
        assert row.last_used_at is not None and db.session.scalar(select(func.count(ApiToken.id))) == 1
