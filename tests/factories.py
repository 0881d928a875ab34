"""Factories: what a test needs, with sensible defaults and every field overridable.

Each factory writes through `db.session` and flushes (it never commits), so the `db_app`
fixture's rolled-back transaction undoes it. Factories that go through a service (an approval
request, whose route the routing computes) commit that service's unit of work, which inside the
test only releases a savepoint. A test that calls a service expected to fail in its own body
should `db.session.commit()` its world first: the failing service rolls back to the last savepoint.

Everything a test needs is made by the test: no demo data. Names default to unique values
(user1, 类别1 …); tests that assert on a name pass it (`user(username="zhangwei",
display_name="张伟")`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

import portal.demo
from portal.approvals.models import ApprovalRequest
from portal.auth.models import ApiToken, Department, Region, User, UserRole
from portal.auth.roles import Position, Role
from portal.auth.services import TOKEN_PREFIX, hash_password
from portal.core.calendar_days import CalendarDay
from portal.core.clock import utcnow
from portal.extensions import db
from portal.kb import markdown
from portal.kb.models import Article, Category, Manual
from portal.quiz.models import Attempt, AttemptItem, Certification, Question
from portal.tickets.models import Ticket

PASSWORD = "Demo@2026"  # the password tests' Auth.login uses by default
_seq = itertools.count(1)


class Clock:
    """A clock a test sets and moves: `app.config["CLOCK"] = Clock(t)`, then `clock.move(hours=25)`."""

    def __init__(self, t: datetime):
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def move(self, **delta) -> None:
        self.t += timedelta(**delta)


def _n() -> int:
    return next(_seq)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


# --- auth -----------------------------------------------------------------------------------


def region(code: str | None = None, name: str | None = None) -> Region:
    """The region with `code` (made if missing)."""
    code = code or f"region{_n()}"
    found = db.session.scalar(select(Region).where(Region.code == code))
    return found or _save(Region(code=code, name=name or code))


def department(code: str | None = None, name: str | None = None, *, division_leader: User | None = None) -> Department:
    """The department with `code` (made if missing)."""
    code = code or f"dept{_n()}"
    found = db.session.scalar(select(Department).where(Department.code == code))
    if found is None:
        found = _save(Department(code=code, name=name or code))
    if division_leader is not None:
        found.division_leader = division_leader
        db.session.flush()
    return found


_hashes: dict[tuple[str, str], str] = {}


def _hash(password: str) -> str:
    """The app's configured method (the fast test hash), computed once per password."""
    key = (password, current_app.config.get("PASSWORD_HASH_METHOD") or "")
    if key not in _hashes:  # tests make many accounts
        _hashes[key] = hash_password(password)
    return _hashes[key]


def user(
    username: str | None = None,
    *,
    display_name: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    roles: tuple[str | Role, ...] | list[str | Role] = (),
    position: str | Position = Position.STAFF,
    department: Department | str | None = None,
    region: Region | str | None = None,
    superior: User | None = None,
    active: bool = True,
    **fields,
) -> User:
    """An account; `employee` is always among its roles (as `create_user` does). `department`
    and `region` take a model or a code (made if missing)."""
    username = username or f"user{_n()}"
    if isinstance(department, str):
        department = globals()["department"](department)
    if isinstance(region, str):
        region = globals()["region"](region)
    u = User(
        username=username,
        display_name=display_name or username,
        email=email if email is not None else f"{username}@example.com.cn",
        password_hash=_hash(password),
        department=department,
        region=region,
        position=str(position),
        superior=superior,
        active=active,
        **fields,
    )
    u.role_rows = [UserRole(role=r) for r in sorted({str(r) for r in roles} | {Role.EMPLOYEE.value})]
    return _save(u)


@dataclass
class OrgChart:
    """staff → supervisor → manager → division leader, one department, as the approval
    routing needs (the division leader is also the department's, for the fast track)."""

    department: Department
    staff: User
    supervisor: User
    manager: User
    division_leader: User


def org_chart(
    dept: Department | str | None = None,
    *,
    region: Region | str | None = None,
    staff: dict | None = None,
    supervisor: dict | None = None,
    manager: dict | None = None,
    division_leader: dict | None = None,
) -> OrgChart:
    """One reporting line; each person's fields are overridable (`staff={"username": …}`)."""
    dept = department(dept) if not isinstance(dept, Department) else dept
    leader = user(**{"position": Position.DIVISION_LEADER, "region": region, **(division_leader or {})})
    boss = user(
        **{"position": Position.MANAGER, "department": dept, "region": region, "superior": leader, **(manager or {})}
    )
    sup = user(
        **{
            "position": Position.SUPERVISOR,
            "department": dept,
            "region": region,
            "superior": boss,
            **(supervisor or {}),
        }
    )
    worker = user(**{"department": dept, "region": region, "superior": sup, **(staff or {})})
    dept.division_leader = leader
    db.session.flush()
    return OrgChart(dept, worker, sup, boss, leader)


def finance_line() -> OrgChart:
    """The demo's 财务部 reporting line, the one its approval stories use: 张伟 (staff) → 蒋涛
    (supervisor) → 钱红 (manager) → 周海涛 (division leader of 财务部 and 采购部) → gm; with 沈悦
    (a colleague of 张伟), 郑莉 (division leader of 人力资源部), an administrator and 李娜 (support)."""
    finance, east = department("finance", "财务部"), region("east", "华东区")
    gm = user("gm", display_name="赵国栋", position=Position.DIVISION_LEADER, department="office", region="north")
    line = org_chart(
        finance,
        region=east,
        staff={"username": "zhangwei", "display_name": "张伟"},
        supervisor={"username": "jiangtao", "display_name": "蒋涛"},
        manager={"username": "qianhong", "display_name": "钱红"},
        division_leader={"username": "zhouhaitao", "display_name": "周海涛", "department": "office", "superior": gm},
    )
    department("procurement", "采购部", division_leader=line.division_leader)
    zhengli = user("zhengli", display_name="郑莉", position=Position.DIVISION_LEADER, department="office", superior=gm)
    department("hr", "人力资源部", division_leader=zhengli)
    user("shenyue", display_name="沈悦", department=finance, region=east, superior=line.supervisor)
    _person("admin", display_name="系统管理员", roles=[Role.ADMIN], department="it", region="north")
    _person("lina", display_name="李娜", roles=[Role.SUPPORT], department="service", region=east)
    return line


def _person(username: str, **fields) -> User:
    """A person the demo-shaped helpers share (made once when both are used)."""
    found = db.session.scalar(select(User).where(User.username == username))
    return found or user(username, **fields)


def support_desk() -> dict[str, User]:
    """The demo's service desk, by username: 李娜 (support, 华东区), the 信息中心 engineers 林辉 and
    王强 (华东区), 宋宇 (华南区), 刘洋 (senior, 华北区), and an administrator."""
    it, east = department("it", "信息中心"), region("east", "华东区")
    people = {
        "lina": _person("lina", display_name="李娜", roles=[Role.SUPPORT], department="service", region=east),
        "linhui": user("linhui", display_name="林辉", roles=[Role.ENGINEER], department=it, region=east),
        "songyu": user("songyu", display_name="宋宇", roles=[Role.ENGINEER], department=it, region="south"),
        "liuyang": user(
            "liuyang", display_name="刘洋", roles=[Role.ENGINEER, Role.SENIOR_ENGINEER], department=it, region="north"
        ),
        "admin": _person("admin", display_name="系统管理员", roles=[Role.ADMIN], department=it, region="north"),
    }
    people["wangqiang"] = user(
        "wangqiang", display_name="王强", roles=[Role.ENGINEER], department=it, region=east, superior=people["linhui"]
    )
    return people


def api_token(owner: User, *, label: str = "test", revoked: bool = False) -> tuple[str, ApiToken]:
    """A bearer token and its row (only its SHA-256 is stored, as `create_token` does)."""
    raw = f"{TOKEN_PREFIX}test{_n():08d}"
    row = _save(
        ApiToken(user_id=owner.id, token_hash=hashlib.sha256(raw.encode()).hexdigest(), label=label, revoked=revoked)
    )
    return raw, row


def bearer(username: str) -> dict[str, str]:
    """The Authorization header of a new API token for the account `username`."""
    owner = db.session.scalar(select(User).where(User.username == username))
    raw, _row = api_token(owner)
    return {"Authorization": f"Bearer {raw}"}


# --- kb -------------------------------------------------------------------------------------


def category(name: str | None = None, description: str = "") -> Category:
    """The category called `name` (made if missing)."""
    name = name or f"类别{_n()}"
    found = db.session.scalar(select(Category).where(Category.name == name))
    return found or _save(Category(name=name, description=description))


def manual(
    title: str = "OA 用户手册",
    *,
    edition: str = "2026Q4",
    released_on: date | None = date(2026, 10, 1),
    is_current: bool = True,
) -> Manual:
    return _save(Manual(title=title, edition=edition, released_on=released_on, is_current=is_current))


def article(
    title: str | None = None,
    body: str = "正文",
    *,
    kind: str = "faq",
    category: Category | str | None = None,
    manual: Manual | None = None,
    position: int = 0,
    visibility: str = "public",
    published: bool = True,
    author: User | None = None,
    index: bool = False,
    **fields,
) -> Article:
    """A FAQ (or, with `manual=`, a chapter of it); `index=True` also puts it into the search index."""
    if manual is not None:
        kind = "manual"
    cat = category if isinstance(category, Category) else globals()["category"](category or "操作指南")
    a = _save(
        Article(
            kind=kind,
            title=title or f"文章{_n()}",
            body=body,
            body_text=markdown.plain_text(body),
            category=cat,
            manual=manual,
            position=position,
            visibility=visibility,
            published=published,
            author=author,
            **fields,
        )
    )
    if index:
        reindex(a)
    return a


FILLER_TITLES = (
    "如何申请VPN远程访问账号",
    "打印机无法连接网络怎么办",
    "邮箱容量不足如何清理",
    "如何修改个人联系方式",
    "如何申请门禁卡",
    "考勤异常如何申诉",
    "如何下载安装移动客户端",
    "合同归档需要哪些材料",
    "出差补贴的标准是什么",
    "新员工入职需要开通哪些系统",
)


def filler_articles(n: int = len(FILLER_TITLES), *, index: bool = False) -> list[Article]:
    """FAQs about other things, so a search has a corpus around the documents a test is about
    (BM25 weighs a word by how few documents hold it; in a two-document index every word is common)."""
    made = [article(title, f"{title}：请参考操作指南。", category="操作指南") for title in FILLER_TITLES[:n]]
    if index:
        reindex(*made)
    return made


def sign_in_faqs(cat: Category | None = None) -> list[Article]:
    """Seven FAQs about signing in, numbered demo-faq-001… as the demo's first ones: they read
    alike (related questions find each other), differ in popularity, and one is internal."""
    cat = cat or category("登录问题")
    return [
        article(
            "忘记OA登录密码怎么办？",
            "忘记登录密码时：\n\n1. 打开登录页\n2. 点击**忘记密码**\n3. 用绑定手机的验证码重置密码",
            category=cat,
            external_id="demo-faq-001",
            view_count=120,
            helpful_yes=30,
        ),
        article("OA账号被锁定怎么办？", "连续输错登录密码 5 次账号锁定 30 分钟；也可以打开登录页点击忘记密码，"
                  "用绑定手机的验证码重置密码后解锁。", category=cat, external_id="demo-faq-002", view_count=80,
                  helpful_yes=10),
        article("登录时提示验证码错误", "打开登录页刷新验证码后重新输入；忘记登录密码时点击忘记密码，用绑定手机的"
                  "验证码重置密码。", category=cat, external_id="demo-faq-003", view_count=40),
        article("如何修改OA登录密码", "在个人中心修改登录密码；忘记登录密码时打开登录页，点击忘记密码，用绑定手机"
                  "的验证码重置。", category=cat, view_count=60, helpful_no=4),
        article("单点登录失败怎么处理", "清除浏览器缓存后打开登录页重新登录；忘记密码时用手机验证码重置密码。",
                  category=cat, view_count=10),
        article("首次登录需要修改初始密码吗", "首次登录必须修改初始密码；忘记登录密码时在登录页用验证码重置。",
                  category=cat, view_count=25),
        article("VPN登录密码与OA密码的区别", "VPN 密码单独设置，忘记时不能在 OA 登录页重置。", category=cat,
                  visibility="internal", view_count=5),
    ]  # fmt: skip


def picture_bytes(width: int = 40, height: int = 30, color: str = "teal", fmt: str = "PNG", **options) -> bytes:
    """A picture file as a camera or a screenshot tool writes it (Pillow's `save` options pass on)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt, **options)
    return out.getvalue()


def picture(width: int = 40, height: int = 30, color: str = "teal", *, uploader: User | None = None):
    """A stored picture (portal/kb/picture_store.py); its address is `picture_store.url(p)`."""
    from portal.kb import picture_store

    return picture_store.store_picture(picture_bytes(width, height, color), uploader)


DEMO_MANUAL = Path(portal.demo.__file__).parent / "data" / "manual.json"


def demo_manual(*, index: bool = False) -> Manual:
    """The demo's user manual (its 13 chapters as written, numbered demo-manual-NN), current edition."""
    data = json.loads(DEMO_MANUAL.read_text(encoding="utf-8"))
    m = manual(data["title"], edition=data["edition"], released_on=date.fromisoformat(data["released_on"]))
    chapters = [
        article(c["title"], c["body"], manual=m, position=n, category="操作指南", external_id=f"demo-manual-{n:02d}")
        for n, c in enumerate(data["chapters"], start=1)
    ]
    if index:
        reindex(*chapters)
    return m


def reindex(*objects) -> None:
    """Bring the search index up to date for these articles and tickets (the outbox, drained now)."""
    from portal.kb import search_source as kb_source
    from portal.search import queue
    from portal.search.documents import make_key
    from portal.tickets import search_source as ticket_source

    prefixes = {Article: kb_source.PREFIX, Ticket: ticket_source.PREFIX}
    queue.mark_dirty(make_key(prefixes[type(o)], o.id) for o in objects)
    db.session.flush()
    queue.drain()


# --- tickets --------------------------------------------------------------------------------


def ticket(
    requester: User | None = None,
    *,
    title: str | None = None,
    description: str = "问题描述",
    category: Category | str | None = None,
    state: str = "pending",
    assignee: User | None = None,
    severity: str = "normal",
    created_at: datetime | None = None,
    index: bool = False,
    **fields,
) -> Ticket:
    """A ticket in a given state (no ledger events: for lists, access and pages; walk a ticket
    through its states with the services). Due times come from the SLA clock."""
    from portal.tickets import clock

    requester = requester or user()
    cat = category if isinstance(category, Category) else globals()["category"](category or "登录问题")
    now = created_at or utcnow()
    t = Ticket(
        title=title or f"工单{_n()}",
        description=description,
        category=cat,
        state=state,
        assignee=assignee,
        severity=severity,
        requester=requester,
        region_id=requester.region_id,
        department_id=requester.department_id,
        contact=requester.email or "",
        created_at=now,
        updated_at=now,
        **fields,
    )
    db.session.add(t)
    clock.set_due_times(t)
    _save(t)
    if index:
        reindex(t)
    return t


# --- approvals ------------------------------------------------------------------------------

PROCUREMENT = {"item": "笔记本电脑 10 台", "category": "it_equipment", "budget_code": "IT-01", "amount": "60,000"}


def approval_request(
    requester: User,
    template: str = "procurement",
    *,
    title: str = "采购笔记本电脑",
    now: datetime | None = None,
    **values,
) -> ApprovalRequest:
    """A request submitted from a template through the service, so its route is the routing's;
    `values` override the template's fields (procurement defaults: 60,000 of IT equipment)."""
    from portal.approvals import services

    raw = {**(PROCUREMENT if template == "procurement" else {}), **values}
    req, _draft = services.submit_request(template, title, raw, requester, now=now)
    return req


# --- quiz -----------------------------------------------------------------------------------


def question(
    stem: str | None = None,
    *,
    kind: str = "single",
    level: str = "beginner",
    options: list | None = None,
    answer: list | None = None,
    tags: list | None = None,
    points: int = 1,
    created_by: User | None = None,
    **fields,
) -> Question:
    """A question of the bank; a single choice between A and B (A correct) unless told."""
    n = _n()
    if kind == "true_false":
        options = options if options is not None else []
        answer = answer if answer is not None else ["true"]
    elif kind == "practical":
        options, answer = options or [], answer or []
        fields.setdefault("rubric", [{"criterion": "完整", "points": points}])
    else:
        options = options if options is not None else [{"key": "A", "text": "对的"}, {"key": "B", "text": "错的"}]
        answer = answer if answer is not None else ["A"]
    return _save(
        Question(
            external_id=fields.pop("external_id", f"Q-T{n:04d}"),
            stem=stem or f"题目{n}",
            kind=kind,
            level=level,
            options=options,
            answer=answer,
            tags=tags if tags is not None else ["通用"],
            points=points,
            created_by_id=created_by.id if created_by else None,
            **fields,
        )
    )


def certification(level: str = "beginner", *, draws: list | None = None, **fields) -> Certification:
    """The definition of a level (made if missing); by default one single-choice question drawn."""
    found = db.session.scalar(select(Certification).where(Certification.level == level))
    if found is not None:
        for k, v in fields.items():
            setattr(found, k, v)
        db.session.flush()
        return found
    titles = {"beginner": "初级认证", "intermediate": "中级认证", "advanced": "高级认证"}
    return _save(
        Certification(
            level=level,
            title=fields.pop("title", titles.get(level, level)),
            draws=draws if draws is not None else [{"kind": "single", "tags": [], "count": 1}],
            **fields,
        )
    )


# The demo's three levels, as its trainer set them up (time limits, pass marks, draws …).
DEMO_QUIZ = Path(portal.demo.__file__).parent / "data" / "quiz.json"


def _demo_levels() -> dict[str, dict]:
    return {c["level"]: c for c in json.loads(DEMO_QUIZ.read_text(encoding="utf-8"))["certifications"]}


def demo_levels() -> dict[str, Certification]:
    """The three certification levels with the demo's definitions."""
    return {
        level: certification(level, **{k: v for k, v in fields.items() if k != "level"})
        for level, fields in _demo_levels().items()
    }


def question_bank(
    level: str = "beginner",
    *,
    single: int = 6,
    multiple: int = 3,
    true_false: int = 4,
    practical: int = 1,
    articles: list[Article] | tuple[Article, ...] = (),
    tags: list[str] | None = None,
    created_by: User | None = None,
) -> list[Question]:
    """Enough questions of every kind for a level's draw, shaped as the demo's: four options
    with distinct, long texts (B right; A and C for multiple choice, worth 2 points); true/false
    statements; a practical task with the demo's three-criterion rubric (4 + 4 + 2, an upload
    allowed). Every question links to `articles` (what to read again) and carries `tags`."""
    ids = [a.id for a in articles]
    common = {"level": level, "edition": "2026Q4", "article_ids": ids, "tags": tags, "created_by": created_by}
    made = []
    for _ in range(single):
        n = _n()
        opts = [{"key": k, "text": f"第{n}题选项{k}的较长说明文字"} for k in "ABCD"]
        made.append(question(f"单选题{n}：应该怎么做？", kind="single", options=opts, answer=["B"], **common))
    for _ in range(multiple):
        n = _n()
        opts = [{"key": k, "text": f"第{n}题多选项{k}的较长说明文字"} for k in "ABCD"]
        made.append(
            question(f"多选题{n}：哪些做法正确？", kind="multiple", options=opts, answer=["A", "C"], points=2, **common)
        )
    for i in range(true_false):
        made.append(
            question(
                f"判断题{_n()}：这种做法正确。", kind="true_false", answer=["true" if i % 2 else "false"], **common
            )
        )
    rubric = [
        {"criterion": "能用关键词在帮助中心找到相关文章", "points": 4},
        {"criterion": "给出至少 3 个可行的处理方法", "points": 4},
        {"criterion": "说明无法解决时如何提交工单", "points": 2},
    ]
    for _ in range(practical):
        made.append(
            question(
                f"实操题{_n()}：写出在帮助中心查找解决方案的步骤。",
                kind="practical",
                points=10,
                rubric=rubric,
                allow_upload=True,
                **common,
            )
        )
    return made


def attempt(
    taker: User,
    certification: Certification | None = None,
    *,
    questions: list[Question] | None = None,
    state: str = "in_progress",
    started_at: datetime | None = None,
    **fields,
) -> Attempt:
    """An attempt with its items, without the drawing (for lists, reviews and reports)."""
    cert = certification or globals()["certification"]()
    started = started_at or utcnow()
    number = 1 + len(
        db.session.scalars(
            select(Attempt.id).where(Attempt.user_id == taker.id, Attempt.certification_id == cert.id)
        ).all()
    )
    a = Attempt(
        user=taker,
        certification=cert,
        number=number,
        state=state,
        started_at=started,
        deadline=fields.pop("deadline", started + timedelta(minutes=cert.time_limit_minutes or 30)),
        **fields,
    )
    for pos, q in enumerate(questions or [], start=1):
        a.items.append(
            AttemptItem(position=pos, question=q, option_order=[o["key"] for o in q.options], max_points=q.points)
        )
    return _save(a)


# --- the working calendar -------------------------------------------------------------------


def calendar_day(day: date, kind: str = "holiday", name: str = "") -> CalendarDay:
    """A holiday or a make-up working day (调休)."""
    found = db.session.get(CalendarDay, day)
    if found is not None:
        found.kind, found.name = kind, name
        db.session.flush()
        return found
    return _save(CalendarDay(day=day, kind=kind, name=name))
