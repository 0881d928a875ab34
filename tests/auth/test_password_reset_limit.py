"""The reset request wears the per-address limit (portal.web.limits.password_reset): a flood of
requests from one address sends no flood of mail."""

from __future__ import annotations

from portal.extensions import db
from tests import factories as f
from tests.conftest import rolled_back_app


def test_reset_requests_are_rate_limited_per_address(tmp_path, schema_db, mailbox):
    limited = {"RATELIMIT_ENABLED": True, "RATELIMIT_PASSWORD_RESET": "2 per minute", "WTF_CSRF_ENABLED": False}
    with rolled_back_app(tmp_path, schema_db, **limited, **mailbox.config) as app:
        f.user("zhangwei", email="zhangwei@example.com.cn")
        db.session.commit()
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
        codes = [client.post("/password/forgot", data={"login": "zhangwei"}).status_code for _ in range(3)]
        assert codes == [303, 303, 429] and len(mailbox.messages) == 2
        assert client.get("/password/forgot").status_code == 200  # only requests count
