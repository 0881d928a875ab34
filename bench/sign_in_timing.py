#!/usr/bin/env python3
"""Sign-in timing benchmark: does the answer's time tell which user names exist?

An in-process portal with the production hash (werkzeug's scrypt) and real HTTP requests through
the WSGI app. Times the refused sign-in for (a) an existing account with a wrong password, (b) a
user name that does not exist, (c) a locked account (right or wrong password), and the accepted
sign-in; prints the median and p90 of each and the ratio of (a) to (b). The issue's attacker saw
88 ms against 4.3 ms (ratio ≈ 20); the target is a ratio near 1. Usage:

    .venv/bin/python bench/sign_in_timing.py [--runs 40]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
PASSWORD = "Bench#2026pass"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="sign-ins timed per case")
    args = parser.parse_args()

    from portal import create_app
    from portal.auth.models import User, UserRole
    from portal.auth.services import hash_password
    from portal.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-sign-in-"))
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp / "instance"),
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "SECRET_KEY": "bench",
            "SECURE_COOKIES": False,
            "RATELIMIT_ENABLED": False,
            "SIGNIN_NEW_NETWORK_CHECK": False,
            "JOBS_IMMEDIATE": True,
        }
    )
    with app.app_context():
        db.create_all()
        digest = hash_password(PASSWORD)  # the configured (production) method, once for all accounts
        for i in range(args.runs + 1):
            user = User(username=f"staff{i}", display_name=f"员工{i}", password_hash=digest)
            user.role_rows = [UserRole(role="employee")]
            db.session.add(user)
        db.session.commit()
        method = digest.split(":", 1)[0]

    client = app.test_client()

    def attempt(username: str, password: str) -> tuple[float, int]:
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        start = time.perf_counter()
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        elapsed = time.perf_counter() - start
        if response.status_code == 303:
            client.post("/logout", data={"csrf_token": CSRF.search(client.get("/").get_data(as_text=True)).group(1)})
        return elapsed * 1000, response.status_code

    cases: dict[str, list[float]] = {"wrong password": [], "unknown user": [], "locked account": [], "accepted": []}
    for i in range(args.runs):
        cases["wrong password"].append(attempt(f"staff{i}", "Wrong#2026x")[0])  # one failure each: no lock
        cases["unknown user"].append(attempt(f"nobody{i}", "Wrong#2026x")[0])
        cases["accepted"].append(attempt(f"staff{i}", PASSWORD)[0])
    for _ in range(5):
        attempt(f"staff{args.runs}", "Wrong#2026x")  # the fifth failure locks this one
    for i in range(args.runs):
        ms, status = attempt(f"staff{args.runs}", PASSWORD if i % 2 else "Wrong#2026x")
        assert status == 429, status
        cases["locked account"].append(ms)

    print(f"sign-in timing, hash {method}, {args.runs} sign-ins per case (HTTP through the WSGI app)")
    for name, times in cases.items():
        times.sort()
        print(f"  {name:<15} median {statistics.median(times):6.1f} ms   p90 {times[int(len(times) * 0.9)]:6.1f} ms")
    ratio = statistics.median(cases["wrong password"]) / statistics.median(cases["unknown user"])
    print(f"  wrong password / unknown user: {ratio:.2f} (1.00 = indistinguishable)")


if __name__ == "__main__":
    main()
