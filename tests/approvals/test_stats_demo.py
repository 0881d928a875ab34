"""/approvals/stats over the demo's approval history: every period renders (charts or the empty state).
The statistics themselves are tested on requests made per test in test_stats_page.py."""

from __future__ import annotations


def test_the_demo_history_renders(client, auth):
    auth.login("admin")
    for months in (3, 6, 12):
        r = client.get(f"/approvals/stats?months={months}")
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        assert 'id="stats-empty"' in page or page.count('<svg role="img"') == 4
