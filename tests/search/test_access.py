from portal.core.viewer import ANONYMOUS, Viewer
from portal.search.access import visibility_tokens


def test_anonymous_sees_public_only():
    assert visibility_tokens(ANONYMOUS) == ["public"]


def test_employee_sees_internal_and_own_items():
    tokens = visibility_tokens(Viewer(authenticated=True, user_id=7, roles=frozenset({"employee"})))
    assert tokens == ["public", "internal", "user:7"]


def test_curators_also_see_staff_items():
    tokens = visibility_tokens(Viewer(authenticated=True, user_id=3, roles=frozenset({"curator"})))
    assert "staff" in tokens
