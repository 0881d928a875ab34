"""Search analytics for curators: top queries, zero-result queries, click-through, deflection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select

from portal.core.clock import utcnow
from portal.extensions import db
from portal.search.models import SearchLog

PERIODS = (7, 30, 90)


@dataclass
class Summary:
    searches: int
    distinct: int
    zero_share: float
    click_through: float
    without_ticket: float


def _since(days: int):
    return SearchLog.created_at >= utcnow() - timedelta(days=days)


def summary(days: int) -> Summary:
    total, distinct, zero, clicked, ticket = db.session.execute(
        select(
            func.count(SearchLog.id),
            func.count(func.distinct(SearchLog.query)),
            func.sum(case((SearchLog.hits == 0, 1), else_=0)),
            func.sum(case((SearchLog.clicks > 0, 1), else_=0)),
            func.sum(case((SearchLog.ticket_filed.is_(True), 1), else_=0)),
        ).where(_since(days))
    ).one()
    total = total or 0

    def share(n):
        return (n or 0) / total if total else 0.0

    return Summary(total, distinct or 0, share(zero), share(clicked), 1.0 - share(ticket) if total else 0.0)


def top_queries(days: int, limit: int = 50):
    n = func.count(SearchLog.id)
    return db.session.execute(
        select(
            SearchLog.query,
            n.label("count"),
            func.avg(SearchLog.hits).label("avg_hits"),
            (func.sum(case((SearchLog.clicks > 0, 1), else_=0)) * 1.0 / n).label("ctr"),
        )
        .where(_since(days))
        .group_by(SearchLog.query)
        .order_by(n.desc(), SearchLog.query)
        .limit(limit)
    ).all()


def zero_result_queries(days: int, limit: int = 50):
    n = func.count(SearchLog.id)
    return db.session.execute(
        select(SearchLog.query, n.label("count"), func.max(SearchLog.created_at).label("last_seen"))
        .where(_since(days), SearchLog.hits == 0)
        .group_by(SearchLog.query)
        .order_by(n.desc(), SearchLog.query)
        .limit(limit)
    ).all()
