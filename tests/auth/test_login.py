import pytest

from portal.auth.roles import Role
from tests import factories as f
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def world(db_app):
    """Two accounts with the demo's password, in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟")
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])


@pytest.fixture
def client(db_client):
    return db_client


def test_login_and_logout(client, auth):
    response = auth.login("zhangwei")
    assert response.status_code == 303
    assert "张伟" in client.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 303
    assert "张伟" not in client.get("/").get_data(as_text=True)


def test_wrong_password_keeps_the_username_and_says_why(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "zhangwei", "password": "nope", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "用户名或密码错误" in html and 'value="zhangwei"' in html


def test_login_redirects_to_a_local_next_only(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": "chenjing", "password": "Demo@2026", "next": "//evil.example/x", "csrf_token": token},
    )
    assert response.location == "/"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "chenjing", "password": "Demo@2026", "next": "/kb/categories", "csrf_token": token}
    )
    assert response.location == "/kb/categories"


def test_post_without_csrf_token_is_refused_with_a_message(client):
    response = client.post("/login", data={"username": "zhangwei", "password": "Demo@2026"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_closed_account_cannot_sign_in(client, auth, db_app):
    from portal.auth.models import User
    from portal.extensions import db

    with db_app.app_context():
        db.session.execute(db.update(User).where(User.username == "zhangwei").values(active=False))
        db.session.commit()
    assert auth.login("zhangwei").status_code == 422


def test_passwords_are_hashed(db_app):
    from portal.auth.models import User
    from portal.extensions import db

    with db_app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "zhangwei"))
        assert "Demo@2026" not in user.password_hash and user.password_hash.startswith("pbkdf2:")
