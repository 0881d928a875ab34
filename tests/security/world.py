"""The world the authorization matrix runs in: one account per principal of the access table and
one object of every kind, each owned by the employee (their ticket, approval request, quiz
attempts, certificate, notification …), so every other principal asks for someone else's.

`build_world()` writes through the factories and services into the caller's (rolled-back)
transaction and returns the principals' user names and the values URL arguments are built from.
A new kind of object for a new route: make it here and add its key to `World.values`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.approvals import services as approvals
from portal.auth import devices, sessions
from portal.auth.models import SignInSession
from portal.auth.roles import Role
from portal.core import storage, uploads
from portal.core.clock import utcnow
from portal.core.uploads import Upload
from portal.extensions import db
from portal.kb import picture_store
from portal.kb import services as kb
from portal.notify import services as notify
from portal.quiz import services as quiz
from portal.quiz.models import Certificate
from portal.tickets import services as tickets
from tests import factories as f

# principal → the account it signs in as (None: anonymous)
ACCOUNTS = {
    "anonymous": None,
    "employee": "zhangwei",  # owns the world's objects
    "other_employee": "shenyue",  # 张伟's colleague in the same department: the IDOR probe
    "approver": "jiangtao",  # 张伟's supervisor: the first step of his approval request
    "support": "lina",
    "engineer": "wangqiang",
    "curator": "chenjing",
    "trainer": "zhoulin",
    "admin": "admin",
}


@dataclass
class World:
    accounts: dict[str, str | None]
    values: dict[str, object] = field(default_factory=dict)  # key of the access table → URL value


def build_world() -> World:
    line = f.finance_line()  # zhangwei → jiangtao → qianhong → zhouhaitao; shenyue, admin, lina
    people = f.support_desk()  # lina, linhui, songyu, liuyang, wangqiang
    f.user("chenjing", display_name="陈静", roles=[Role.CURATOR], department="service")
    f.user("zhoulin", display_name="周琳", roles=[Role.TRAINER], department="hr")
    owner = line.staff

    login = f.category("登录问题")
    faq = f.article("忘记OA登录密码怎么办？", "点击**忘记密码**。", category=login)
    internal = f.article("VPN登录密码与OA密码的区别", "VPN 密码单独设置。", category=login, visibility="internal")
    manual = f.manual(edition="2026Q4")
    f.article("第一章 登录", "登录说明", manual=manual, position=1)
    draft = f.manual(edition="2027Q1", released_on=None, is_current=False)
    draft_chapter = f.article("第一章 登录（修订中）", "新的登录说明", manual=draft, position=1)
    kb.add_version(faq, None)  # the versions pages compare and restore version 1
    draft_faq = f.article("OA登录页打不开（草稿）", "待审核的草稿", category=login, published=False)
    # pictures, each shown by a text of its own audience; the loose one by no text yet (curators')
    shown = {}
    for n, (name, where) in enumerate(
        [("picture", {}), ("internal_picture", {"visibility": "internal"}), ("draft_picture", {"manual": draft})]
    ):
        picture = f.picture(color=("red", "green", "blue")[n])
        f.article(f"截图 {name}", f"![截图]({picture_store.url(picture)})", position=2, **where)
        shown[name] = picture.key + ".png"
    shown["loose_picture"] = f.picture(color="black").key + ".png"

    ticket = tickets.file_ticket(
        tickets.TicketInput(
            title="登录不了OA",
            description="提示密码错误",
            category_id=login.id,
            uploads=[Upload("截图.png", "image/png", b"\x89PNG....")],
        ),
        owner,
    )
    tickets.assign(ticket, people["wangqiang"], people["lina"])  # the engineer principal is on it
    note_file = Upload("内部.txt", "text/plain", "只给坐席看".encode())
    tickets.reply(ticket, people["lina"], "内部备注", internal=True, uploads=[note_file])
    request = f.approval_request(owner)
    today = utcnow().date()
    delegation = approvals.delegate(line.supervisor, "qianhong", today + timedelta(days=30), today + timedelta(days=32))
    note = notify.notify(owner.id, "approval_todo", "A-1 · 采购", "/approvals/")

    f.certification("beginner")
    single = f.question("单选题：应该怎么做？")
    in_progress = quiz.start(owner, "beginner")  # drawn as a trainee's, its points counted
    practical = f.question("实操题：写出步骤。", kind="practical", level="intermediate", points=10, allow_upload=True)
    intermediate = f.certification("intermediate", draws=[{"kind": "practical", "tags": [], "count": 1}])
    now = utcnow()
    waiting = f.attempt(owner, intermediate, questions=[practical], state="pending_review", submitted_at=now)
    waiting.items[0].text = "先搜索，再提交工单。"
    waiting.items[0].upload_name = "步骤.txt"
    waiting.items[0].upload_stored = storage.area(uploads.AREA).put("先搜索".encode())
    advanced = f.certification("advanced")
    passed = f.attempt(
        owner,
        advanced,
        questions=[single],
        state="passed",
        submitted_at=now,
        finished_at=now,
        score=Decimal("90"),
        passed=True,
    )
    certificate = Certificate(
        code="QZ-7K4M-9TXD-2PHF",
        user=owner,
        level="advanced",
        attempt=passed,
        score=Decimal("90"),
        issued_at=now,
        expires_at=now + timedelta(days=700),
    )
    db.session.add(certificate)
    _raw, token = f.api_token(owner, label="机器人")
    sessions.open_session(owner, remember=False)  # a browser of the owner's, for an administrator to end
    _cookie, trusted = devices.trust(owner, user_agent="Mozilla/5.0 (Windows NT 10.0) Chrome/131")
    db.session.flush()
    browser = db.session.scalar(select(SignInSession.id).where(SignInSession.user_id == owner.id))

    return World(
        accounts=dict(ACCOUNTS),
        values={
            # the owner's account, for pages about a user (administration, sessions, tokens)
            "user": owner.id,
            "username": owner.username,
            "department": owner.department_id,
            "department_code": owner.department.code,
            "region": owner.region_id,
            "region_code": owner.region.code,
            "api_token": token.id,
            "session": browser,
            "device": trusted.id,
            "import_format": "xlsx",
            "ticket": ticket.id,
            "file": next(a.id for a in ticket.attachments if not a.internal),
            "internal_file": next(a.id for a in ticket.attachments if a.internal),
            "approval": request.id,
            "template": "procurement",
            "delegation": delegation.id,
            "note": note.id,
            "level": "beginner",
            "attempt": in_progress.id,
            "review_attempt": waiting.id,
            "result_attempt": passed.id,
            "position": 1,
            "certificate": certificate.code,
            "question": single.id,
            "article": faq.id,
            "internal_article": internal.id,
            "draft_chapter": draft_chapter.id,
            "draft_article": draft_faq.id,
            "version": 1,
            "category": login.id,
            "manual": manual.id,
            "edition": manual.edition,
            "draft_manual": draft.id,
            "draft_edition": draft.edition,
            **shown,
            "language": "en",
            "reset_token": "no-such-link-0123456789",  # an unknown link: 410 for everyone alike
            "static_file": "css/portal.css",
        },
    )
