#!/usr/bin/env python3
"""Certificate PDF benchmark: one certificate in an in-memory portal, rendered with WeasyPrint.

Prints the first (cold) render — WeasyPrint's import, fontconfig and the Noto CJK fonts loaded —
then the median and slowest of N warm renders, and the PDF's size. The requirement is ≤ 1 s warm.
Usage:

    .venv/bin/python bench/certificate_pdf.py
    .venv/bin/python bench/certificate_pdf.py --runs 20 --out /tmp/certificate.pdf
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 1.0


def make_app(tmp: Path):
    from portal import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(tmp / "instance"),
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SERVER_NAME": "oa.example.com.cn",
            "PREFERRED_URL_SCHEME": "https",
        }
    )


def make_certificate():
    from portal.auth.models import Department, User
    from portal.extensions import db
    from portal.quiz.certificate import new_code
    from portal.quiz.models import Attempt, Certificate, Certification

    dept = Department(code="finance", name="财务部")
    user = User(username="zhangwei", display_name="张伟", password_hash="x", department=dept)
    cert_def = Certification(level="intermediate", title="中级认证", validity_months=24)
    issued = datetime(2026, 11, 30, 6, 30)
    attempt = Attempt(
        user=user,
        certification=cert_def,
        number=1,
        state="passed",
        deadline=issued,
        finished_at=issued,
        score=Decimal("86.50"),
        passed=True,
    )
    cert = Certificate(
        code=new_code(),
        user=user,
        level="intermediate",
        attempt=attempt,
        score=Decimal("86.50"),
        issued_at=issued,
        expires_at=issued + timedelta(days=730),
    )
    db.session.add_all([dept, user, cert_def, attempt, cert])
    db.session.commit()
    return cert


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="warm renders (default 10)")
    parser.add_argument("--out", type=Path, help="also write the PDF here")
    args = parser.parse_args()

    from flask import url_for

    from portal.extensions import db
    from portal.quiz.certificate import render_pdf

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            db.create_all()
            cert = make_certificate()
            with app.test_request_context("/"):
                verify_url = url_for("quiz.verify", code=cert.code, _external=True)
                started = time.perf_counter()
                pdf = render_pdf(cert, verify_url)
                cold = time.perf_counter() - started
                warm = []
                for _i in range(args.runs):
                    started = time.perf_counter()
                    pdf = render_pdf(cert, verify_url)
                    warm.append(time.perf_counter() - started)
            db.session.remove()

    median = statistics.median(warm)
    print(f"certificate {cert.code}, verify URL {verify_url}")
    print(f"cold render (first):        {cold * 1000:7.0f} ms")
    print(f"warm render, median of {len(warm):>2}: {median * 1000:7.0f} ms")
    print(f"warm render, slowest:       {max(warm) * 1000:7.0f} ms")
    print(f"PDF size:                   {len(pdf) / 1024:7.0f} KiB")
    print(f"requirement ≤ {LIMIT_SECONDS:.0f} s warm:       {'met' if median <= LIMIT_SECONDS else 'NOT MET'}")
    if args.out:
        args.out.write_bytes(pdf)
        print(f"written to {args.out}")
    sys.exit(0 if median <= LIMIT_SECONDS else 1)


if __name__ == "__main__":
    main()
