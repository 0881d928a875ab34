"""Trainee pages: the levels, taking a quiz, the result; reviewers' queue. The question bank is in
bank_views.py, certificates and their verification in certificate_views.py, trainer reports in
report_views.py, all on this blueprint."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quiz", __name__, url_prefix="/quiz")
