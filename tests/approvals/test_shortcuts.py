"""Starting a request from the search box: the query names the kind of request."""

import pytest

from portal.approvals import shortcuts
from portal.approvals.templates import builtin

TEMPLATES = list(builtin().values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("怎么请假", ["leave"]),
        ("采购电脑", ["procurement"]),
        ("差旅报销", ["expense"]),
        ("expense claim", ["expense"]),
        ("休暇", ["leave"]),
        ("忘记密码", []),
        ("申请", []),
        ("审批流程", []),
        ("", []),
        ("Leave", ["leave"]),
    ],
)
def test_queries_that_name_a_request(query, expected):
    assert [t.key for t in shortcuts.matching(query, TEMPLATES)] == expected


def test_the_search_page_offers_to_start_the_request(client, auth):
    auth.login("zhangwei")
    html = client.get("/", query_string={"q": "怎么请假"}).get_data(as_text=True)
    assert 'id="approval-shortcuts"' in html and 'href="/approvals/new/leave"' in html
    assert 'id="approval-shortcuts"' not in client.get("/", query_string={"q": "忘记密码"}).get_data(as_text=True)
    auth.logout()  # anonymous readers are not offered requests they cannot submit
    assert 'id="approval-shortcuts"' not in client.get("/", query_string={"q": "怎么请假"}).get_data(as_text=True)
