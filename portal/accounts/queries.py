"""Reading accounts for the administration pages: the filtered user list, departments and regions
with their head counts, what the import compares against, what a leaver hands over, tokens, and
the people of the org chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select

from portal.accounts import orgchart, rules
from portal.accounts.checking import Known
from portal.accounts.sheet import fold
from portal.approvals import config as approval_config
from portal.approvals import queries as approval_queries
from portal.approvals.models import ApprovalStep, Delegation
from portal.auth import sessions
from portal.auth.models import ApiToken, Department, Region, SignInSession, User, UserRole
from portal.core.clock import utcnow
from portal.extensions import db
from portal.tickets import queries as ticket_queries
from portal.tickets.models import Ticket

STATUSES = ("active", "closed")


@dataclass
class UserFilter:
    q: str = ""
    department: int | None = None
    region: int | None = None
    role: str = ""
    status: str = ""  # "" all | active | closed

    @classmethod
    def from_args(cls, args) -> UserFilter:
        def number(name: str) -> int | None:
            raw = args.get(name, "")
            return int(raw) if raw.isdigit() and len(raw) < 12 else None

        return cls(
            q=(args.get("q") or "").strip()[:80],
            department=number("department"),
            region=number("region"),
            role=args.get("role") if args.get("role") in rules.ROLES else "",
            status=args.get("status") if args.get("status") in STATUSES else "",
        )

    def args(self) -> dict:
        values = {"q": self.q, "department": self.department, "region": self.region, "role": self.role}
        return {k: v for k, v in {**values, "status": self.status}.items() if v not in (None, "")}


def users_page(f: UserFilter, page: int, per_page: int):
    query = select(User)
    if f.q:
        like = f"%{f.q}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like), User.email.ilike(like)))
    if f.department:
        query = query.where(User.department_id == f.department)
    if f.region:
        query = query.where(User.region_id == f.region)
    if f.role:
        query = query.where(exists().where(UserRole.user_id == User.id, UserRole.role == f.role))
    if f.status:
        query = query.where(User.active.is_(f.status == "active"))
    return db.paginate(query.order_by(User.username), page=page, per_page=per_page, error_out=False)


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def by_username(username: str) -> User | None:
    name = rules.normal_username(username or "")
    return db.session.scalar(select(User).where(User.username == name)) if name else None


def active_people(limit: int = 3000) -> list[User]:
    """For the superior and successor pickers (a datalist)."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username).limit(limit)))


def departments() -> list[tuple[Department, int]]:
    """Every department with its number of active people."""
    n = select(func.count(User.id)).where(User.department_id == Department.id, User.active.is_(True)).scalar_subquery()
    return list(db.session.execute(select(Department, n).order_by(Department.code)).tuples())


def regions() -> list[tuple[Region, int]]:
    n = select(func.count(User.id)).where(User.region_id == Region.id, User.active.is_(True)).scalar_subquery()
    return list(db.session.execute(select(Region, n).order_by(Region.code)).tuples())


def department_list() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name, Department.code)))


def region_list() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name, Region.code)))


def leader_candidates() -> list[User]:
    """Who may lead a department's approvals: active people in an approving position."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.position != "staff")
            .order_by(User.position.desc(), User.username)
        )
    )


def superior_map() -> dict[int, int | None]:
    return dict(db.session.execute(select(User.id, User.superior_id)).tuples().all())


def other_active_admins(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.active.is_(True),
                User.id != user_id,
                exists().where(UserRole.user_id == User.id, UserRole.role == rules.ADMIN),
            )
        )
        or 0
    )


def known_for_import() -> Known:
    users = db.session.execute(select(User.username, User.active, User.email)).all()
    department_names: dict[str, tuple[int, ...]] = {}
    department_codes = {}
    for d in db.session.scalars(select(Department)):
        department_codes[fold(d.code)] = d.id
        department_names[fold(d.name)] = (*department_names.get(fold(d.name), ()), d.id)
    region_names: dict[str, tuple[int, ...]] = {}
    region_codes = {}
    for r in db.session.scalars(select(Region)):
        region_codes[fold(r.code)] = r.id
        region_names[fold(r.name)] = (*region_names.get(fold(r.name), ()), r.id)
    return Known(
        usernames={u.username: bool(u.active) for u in users},
        emails={u.email.lower(): u.username for u in users if u.email},
        department_codes=department_codes,
        department_names=department_names,
        region_codes=region_codes,
        region_names=region_names,
    )


def email_owner(email: str, except_id: int | None = None) -> User | None:
    query = select(User).where(func.lower(User.email) == email.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query.limit(1))


# --- what a leaver hands over ---------------------------------------------------------------


@dataclass
class Inventory:
    tickets: list[Ticket] = field(default_factory=list)
    steps: list[ApprovalStep] = field(default_factory=list)
    given: list[Delegation] = field(default_factory=list)
    received: list[Delegation] = field(default_factory=list)
    led: list[Department] = field(default_factory=list)  # departments whose approvals they lead
    reports: list[User] = field(default_factory=list)  # active people reporting to them

    @property
    def empty(self) -> bool:
        return not (self.needs_successor or self.given)

    @property
    def needs_successor(self) -> bool:
        """Someone must take this over (the delegations they gave simply end)."""
        return bool(self.tickets or self.steps or self.received or self.led or self.reports)


def inventory(user: User, now: datetime | None = None) -> Inventory:
    given, received = approval_queries.open_delegations(user.id, approval_config.local_day(now or utcnow()))
    return Inventory(
        tickets=ticket_queries.open_assigned_to(user.id),
        steps=approval_queries.held_steps(user.id),
        given=given,
        received=received,
        led=list(db.session.scalars(select(Department).where(Department.division_leader_id == user.id))),
        reports=list(
            db.session.scalars(
                select(User).where(User.superior_id == user.id, User.active.is_(True)).order_by(User.username)
            )
        ),
    )


# --- signed-in browsers ------------------------------------------------------------------------


def open_sessions(user: User) -> list[SignInSession]:
    return sessions.active_for(user)


def session_of(user: User, session_id: int) -> SignInSession | None:
    row = db.session.get(SignInSession, session_id)
    return row if row is not None and row.user_id == user.id else None


# --- tokens -----------------------------------------------------------------------------------

TOKEN_STATES = ("active", "expired", "revoked")


def _token_state(query, state: str, now: datetime):
    if state == "revoked":
        return query.where(ApiToken.revoked.is_(True))
    live = query.where(ApiToken.revoked.is_(False))
    if state == "expired":
        return live.where(ApiToken.expires_at <= now)
    if state == "active":
        return live.where(or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
    return query


def tokens_page(q: str, state: str, page: int, per_page: int, now: datetime | None = None):
    query = select(ApiToken).join(User, User.id == ApiToken.user_id)
    if q:
        like = f"%{q}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like), ApiToken.label.ilike(like)))
    query = _token_state(query, state, now or utcnow())
    return db.paginate(query.order_by(ApiToken.id.desc()), page=page, per_page=per_page, error_out=False)


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.revoked, ApiToken.id.desc())
        )
    )


def token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def all_tokens(username: str | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(User, User.id == ApiToken.user_id)
    if username:
        query = query.where(User.username == rules.normal_username(username))
    return list(db.session.scalars(query.order_by(ApiToken.id)))


# --- the org chart ----------------------------------------------------------------------------


def org_people() -> list[orgchart.Person]:
    rows = db.session.execute(
        select(User.id, User.display_name, User.username, User.position, User.department_id, User.superior_id).where(
            User.active.is_(True)
        )
    ).all()
    return [orgchart.Person(*row) for row in rows]
