"""Who may call every endpoint of the portal: the table tests/security/test_access_matrix.py checks.

Every endpoint of `app.url_map` has one row, in the dict of its blueprint (the part of the
endpoint name before the dot; the dicts are listed in BLUEPRINTS at the end). An endpoint without
a row fails the suite, naming the dict to add it to, and so does a row whose endpoint no longer
exists. A new route: add its row here; if its URL takes an object the world lacks, make one in
tests/security/world.py and add its key to `World.values`.

An entry says, per HTTP method the route has (GET and POST are called; other methods are not),
which principals may call it:

    "tickets.show": Entry(get=owner_or(AGENTS), args={"ticket_id": "ticket"}),

- `get=` / `post=`: a set of principals (names below, or the groups built from them). A route
  with that method and no set, or a set for a method the route lacks, fails the suite.
- `args=`: each URL argument → a key of `World.values` (tests/security/world.py): the ids of the
  objects the employee owns, so every other principal asks for someone else's (IDOR).
- `query=`: a query string (literal values), e.g. the search text of a search page.
- `form=` / `json=`: what a POST sends besides the CSRF token (default: nothing). Give just
  enough to reach the access check when a view validates the body first.
- `hidden=True`: the object is hidden from those denied, not refused: they get 404 (anonymous
  visitors too, unless the page asks them to sign in first): an internal article, a draft
  edition, an internal note's attachment.

An endpoint whose answer depends on the object (an internal article, a draft edition) may have
more entries, a tuple: the first covers every method of the route, each further one names the
world key it is about in `label=` and covers some of them.

`sign_in_step=True`: the route is the second step of a sign-in in progress, which none of the
principals has: each of them must be sent to the sign-in page (never shown the step).

Allowed: anything but 401, 403, 404, a redirect to the sign-in page or a 5xx (an empty POST is
refused with 400/409/422 — that is still allowed). Denied: anonymous gets 401 or a redirect to
sign in; a signed-in principal gets 403 or 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# --- the principals: one account each in tests/security/world.py --------------------------------
ANONYMOUS = "anonymous"
EMPLOYEE = "employee"  # the owner: requester of the ticket and approval, taker of the attempts …
OTHER_EMPLOYEE = "other_employee"  # a colleague of the owner: every object is someone else's
APPROVER = "approver"  # the owner's supervisor, first step of the owner's approval request
SUPPORT = "support"
ENGINEER = "engineer"
CURATOR = "curator"
TRAINER = "trainer"
ADMIN = "admin"

PRINCIPALS = (ANONYMOUS, EMPLOYEE, OTHER_EMPLOYEE, APPROVER, SUPPORT, ENGINEER, CURATOR, TRAINER, ADMIN)

EVERYONE = frozenset(PRINCIPALS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
OWNER = frozenset({EMPLOYEE})
AGENTS = frozenset({SUPPORT, ENGINEER, ADMIN})  # the ticket desk (admins pass every role check)
DESK = frozenset({SUPPORT, ADMIN})  # assigns tickets
CURATORS = frozenset({CURATOR, ADMIN})
TRAINERS = frozenset({TRAINER, ADMIN})  # question bank, reviews, reports, certificates
ADMINS = frozenset({ADMIN})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    json: Mapping | None = None
    hidden: bool = False
    signs_out: bool = False  # the request ends the principal's session: sign in again after it
    sign_in_step: bool = False  # serves a sign-in in progress: everyone else is sent to sign in
    label: str = ""  # which of several entries of one endpoint (a world key)

    def allowed(self, method: str) -> frozenset[str] | None:
        return {"GET": self.get, "POST": self.post}[method]


def owner_or(*groups: frozenset[str]) -> frozenset[str]:
    return OWNER.union(*groups)


# --- site-wide (portal/web) ----------------------------------------------------------------------
WEB = {
    "web.health": Entry(get=EVERYONE),
    "web.set_language": Entry(get=EVERYONE, args={"code": "language"}),
}

# Flask's own static route has no blueprint
STATIC = {
    "static": Entry(get=EVERYONE, args={"filename": "static_file"}),
}

# --- sign-in (portal/auth) ---------------------------------------------------------------------
AUTH = {
    "auth.login": Entry(get=EVERYONE, post=EVERYONE),
    "auth.logout": Entry(post=EVERYONE, signs_out=True),
    "auth.change_password": Entry(get=SIGNED_IN, post=SIGNED_IN),
    "auth.forgot_password": Entry(get=EVERYONE, post=EVERYONE),
    "auth.reset_password": Entry(get=EVERYONE, post=EVERYONE, args={"token": "reset_token"}),
    # the second step of a sign-in in progress: without one, everybody is sent to sign in
    "auth.verify_sign_in": Entry(get=NOBODY, post=NOBODY, sign_in_step=True),
    "auth.resend_sign_in_code": Entry(post=NOBODY, sign_in_step=True),
    "auth.enrol_sign_in": Entry(get=NOBODY, post=NOBODY, sign_in_step=True),
    "auth.cancel_sign_in": Entry(post=NOBODY, sign_in_step=True),
    # one's own security page: every signed-in principal has theirs; its objects are the owner's
    "auth.security": Entry(get=SIGNED_IN),
    "auth.setup_authenticator": Entry(get=SIGNED_IN, post=SIGNED_IN),
    "auth.disable_two_factor": Entry(post=SIGNED_IN),
    "auth.regenerate_recovery_codes": Entry(post=SIGNED_IN),
    "auth.forget_browser": Entry(post=owner_or(ADMINS), args={"device_id": "device"}),  # admins manage any account
    "auth.forget_browsers": Entry(post=SIGNED_IN),
    "auth.end_session": Entry(post=owner_or(ADMINS), args={"session_id": "session"}),
    "auth.end_other_sessions": Entry(post=SIGNED_IN),
}

# --- accounts administration (portal/accounts) ---------------------------------------------------
USER = {"user_id": "user"}
ACCOUNTS = {
    "accounts.list_users": Entry(get=ADMINS),
    "accounts.new_user": Entry(get=ADMINS, post=ADMINS),
    "accounts.show_user": Entry(get=ADMINS, args=USER),
    "accounts.edit_user": Entry(post=ADMINS, args=USER),
    "accounts.close_user": Entry(get=ADMINS, post=ADMINS, args=USER),
    "accounts.reopen_user": Entry(post=ADMINS, args=USER),
    "accounts.unlock_user": Entry(post=ADMINS, args=USER),
    "accounts.two_factor_user": Entry(post=ADMINS, args=USER),
    "accounts.reset_user_password": Entry(post=ADMINS, args=USER),
    "accounts.end_user_session": Entry(post=ADMINS, args={"user_id": "user", "session_id": "session"}),
    "accounts.end_all_user_sessions": Entry(post=ADMINS, args=USER),
    "accounts.import_users": Entry(get=ADMINS),
    "accounts.check_import": Entry(post=ADMINS),
    "accounts.confirm_import": Entry(post=ADMINS),
    "accounts.import_template": Entry(get=ADMINS, args={"fmt": "import_format"}),
    "accounts.departments": Entry(get=ADMINS, post=ADMINS),
    "accounts.edit_department": Entry(get=ADMINS, post=ADMINS, args={"unit_id": "department"}),
    "accounts.regions": Entry(get=ADMINS, post=ADMINS),
    "accounts.edit_region": Entry(get=ADMINS, post=ADMINS, args={"unit_id": "region"}),
    "accounts.org_chart": Entry(get=ADMINS),
    "accounts.all_tokens": Entry(get=ADMINS),
    "accounts.revoke_token": Entry(post=ADMINS, args={"token_id": "api_token"}),
    "accounts.my_tokens": Entry(get=SIGNED_IN, post=SIGNED_IN),
    # someone else's token is no token of yours (404), an administrator's included
    "accounts.revoke_my_token": Entry(post=OWNER, args={"token_id": "api_token"}),
}

# --- the audit trail (portal/audit) ------------------------------------------------------------
AUDIT = {
    "audit.index": Entry(get=ADMINS),
    "audit.export": Entry(get=ADMINS),
}

# --- search (portal/search) --------------------------------------------------------------------
SEARCH = {
    "search.home": Entry(get=EVERYONE, query={"q": "忘记密码"}),
    "search.suggest": Entry(get=EVERYONE, query={"q": "忘记"}),
    "search.show_analytics": Entry(get=CURATORS),
    "search.edit_tuning": Entry(get=CURATORS, post=CURATORS),
}

# --- knowledge base (portal/kb) ----------------------------------------------------------------
KB = {
    "kb.show_article": (
        Entry(get=EVERYONE, args={"article_id": "article"}),
        Entry(get=SIGNED_IN, args={"article_id": "internal_article"}, hidden=True, label="internal_article"),
        Entry(get=CURATORS, args={"article_id": "draft_chapter"}, hidden=True, label="draft_chapter"),
        Entry(get=CURATORS, args={"article_id": "draft_article"}, hidden=True, label="draft_article"),
    ),
    "kb.vote": Entry(post=EVERYONE, args={"article_id": "article"}, form={"helpful": "yes"}),
    "kb.show_category": Entry(get=EVERYONE, args={"category_id": "category"}),
    "kb.show_manual": (
        Entry(get=EVERYONE, args={"manual_id": "manual"}),
        Entry(get=CURATORS, args={"manual_id": "draft_manual"}, hidden=True, label="draft_manual"),
    ),
    "kb.show_edition": (
        Entry(get=EVERYONE, args={"edition": "edition"}),
        Entry(get=CURATORS, args={"edition": "draft_edition"}, hidden=True, label="draft_edition"),
    ),
    "kb.new_edition": Entry(post=CURATORS, args={"manual_id": "manual"}),
    "kb.publish_edition": Entry(post=CURATORS, args={"manual_id": "manual"}),
    "kb.new_article": Entry(get=CURATORS, post=CURATORS),
    "kb.edit_article": Entry(get=CURATORS, post=CURATORS, args={"article_id": "article"}),
    "kb.preview": Entry(post=CURATORS),
    "kb.manage_categories": Entry(get=CURATORS, post=CURATORS),
    # the drafts desk: curators and administrators; a review step by anyone else is refused before
    # the article is looked at (submit: the first curator's 303, the second one's 409)
    "kb.drafts": Entry(get=CURATORS),
    "kb.review_article": Entry(
        get=CURATORS, post=CURATORS, args={"article_id": "draft_article"}, form={"action": "submit"}
    ),
    "kb.article_versions": Entry(get=CURATORS, args={"article_id": "article"}),
    "kb.diff_versions": Entry(get=CURATORS, args={"article_id": "article"}, query={"a": "1", "b": "1"}),
    "kb.restore_version": Entry(post=CURATORS, args={"article_id": "article", "number": "version"}),
    "kb.upload_picture": Entry(post=CURATORS),
    # a picture: whoever may read a text that shows it (tests/security/world.py)
    "kb.picture": (
        Entry(get=EVERYONE, args={"name": "picture"}),
        Entry(get=SIGNED_IN, args={"name": "internal_picture"}, hidden=True, label="internal_picture"),
        Entry(get=CURATORS, args={"name": "draft_picture"}, hidden=True, label="draft_picture"),
        Entry(get=CURATORS, args={"name": "loose_picture"}, hidden=True, label="loose_picture"),
    ),
    "kb.picture_original": (
        Entry(get=EVERYONE, args={"name": "picture"}),
        Entry(get=SIGNED_IN, args={"name": "internal_picture"}, hidden=True, label="internal_picture"),
        Entry(get=CURATORS, args={"name": "draft_picture"}, hidden=True, label="draft_picture"),
        Entry(get=CURATORS, args={"name": "loose_picture"}, hidden=True, label="loose_picture"),
    ),
}

# --- tickets (portal/tickets: views.py, desk.py) -------------------------------------------------
TICKETS = {
    "tickets.mine": Entry(get=SIGNED_IN),
    "tickets.new": Entry(get=SIGNED_IN, post=SIGNED_IN),
    "tickets.suggest": Entry(get=SIGNED_IN),
    "tickets.deflect": Entry(post=SIGNED_IN),
    "tickets.top_faqs": Entry(get=EVERYONE),
    "tickets.show": Entry(get=owner_or(AGENTS), args={"ticket_id": "ticket"}),
    "tickets.reply": Entry(post=owner_or(AGENTS), args={"ticket_id": "ticket"}),
    "tickets.act": Entry(post=owner_or(AGENTS), args={"ticket_id": "ticket"}),
    "tickets.rate": Entry(post=owner_or(AGENTS), args={"ticket_id": "ticket"}),
    "tickets.download": (
        Entry(get=owner_or(AGENTS), args={"ticket_id": "ticket", "file_id": "file"}),
        # an attachment of an internal note: the desk only, not even the ticket's requester
        Entry(get=AGENTS, args={"ticket_id": "ticket", "file_id": "internal_file"}, hidden=True, label="internal_file"),
    ),
    "tickets.queue": Entry(get=AGENTS),
    "tickets.bulk_assign": Entry(post=DESK),
    "tickets.manage": Entry(post=AGENTS, args={"ticket_id": "ticket"}),
    "tickets.follow_up": Entry(post=AGENTS, args={"ticket_id": "ticket"}),
    # only the engineer on the ticket (the world assigns it to the engineer principal)
    "tickets.revise_expected": Entry(post=frozenset({ENGINEER}), args={"ticket_id": "ticket"}),
    "tickets.faq_draft": Entry(post=AGENTS, args={"ticket_id": "ticket"}),
    "tickets.calendar": Entry(get=ADMINS, post=ADMINS),
}

# --- notifications (portal/notify) -------------------------------------------------------------
NOTIFY = {
    "notify.index": Entry(get=SIGNED_IN),
    "notify.read_all": Entry(post=SIGNED_IN),
    "notify.open_one": Entry(post=OWNER, args={"note_id": "note"}),
}

# --- approvals (portal/approvals: views.py, stats_views.py) ----------------------------------------
REQUEST = {"request_id": "approval"}
APPROVALS = {
    "approvals.lists": Entry(get=SIGNED_IN),
    "approvals.pick": Entry(get=SIGNED_IN),
    "approvals.new": Entry(get=SIGNED_IN, post=SIGNED_IN, args={"key": "template"}),
    "approvals.show": Entry(get=owner_or({APPROVER, ADMIN}), args=REQUEST),
    "approvals.route": Entry(get=owner_or({APPROVER, ADMIN}), args=REQUEST),
    "approvals.decide": Entry(post=frozenset({APPROVER}), args=REQUEST, form={"decision": "approve"}),
    "approvals.edit": Entry(get=OWNER, post=OWNER, args=REQUEST),
    "approvals.withdraw": Entry(post=OWNER, args=REQUEST),
    "approvals.comment": Entry(post=owner_or({APPROVER, ADMIN}), args=REQUEST),
    # only approvers (supervisor and up) delegate; staff see the page and are told so
    "approvals.delegations": Entry(get=SIGNED_IN, post=frozenset({APPROVER})),
    "approvals.revoke": Entry(post=frozenset({APPROVER, ADMIN}), args={"delegation_id": "delegation"}),
    "approvals.stats": Entry(get=ADMINS),
}

# --- certification quizzes (portal/quiz: views, bank, definitions, certificates, reports) ----------
ATTEMPT = {"attempt_id": "attempt"}
QUIZ = {
    "quiz.index": Entry(get=SIGNED_IN),
    "quiz.start": Entry(post=SIGNED_IN, args={"level": "level"}),
    "quiz.paper": Entry(get=OWNER, args=ATTEMPT),
    "quiz.answer": Entry(post=OWNER, args={**ATTEMPT, "position": "position"}, form={"answer": "A"}),
    "quiz.confirm": Entry(get=OWNER, args=ATTEMPT),
    "quiz.submit": Entry(post=OWNER, args=ATTEMPT),
    "quiz.result": Entry(get=owner_or(TRAINERS), args={"attempt_id": "result_attempt"}),
    "quiz.upload": Entry(get=owner_or(TRAINERS), args={"attempt_id": "review_attempt", "position": "position"}),
    "quiz.reviews": Entry(get=TRAINERS),
    "quiz.review": Entry(get=TRAINERS, post=TRAINERS, args={"attempt_id": "review_attempt"}),
    "quiz.certificate_pdf": Entry(get=owner_or(TRAINERS), args={"code": "certificate"}),
    "quiz.verify": Entry(get=SIGNED_IN, query={"code": "QZ-7K4M-9TXD-2PHF"}),  # the world's certificate
    "quiz.revoke": Entry(post=TRAINERS, args={"code": "certificate"}),
    "quiz.definition": Entry(get=TRAINERS, post=TRAINERS, args={"level": "level"}),
    "quiz.grant": Entry(post=TRAINERS),
    "quiz.questions": Entry(get=TRAINERS),
    "quiz.question_new": Entry(get=TRAINERS, post=TRAINERS),
    "quiz.question_edit": Entry(get=TRAINERS, post=TRAINERS, args={"question_id": "question"}),
    "quiz.question_toggle": Entry(post=TRAINERS, args={"question_id": "question"}),
    "quiz.questions_export": Entry(get=TRAINERS),
    "quiz.questions_import": Entry(get=TRAINERS, post=TRAINERS),
    "quiz.reports": Entry(get=TRAINERS),
    "quiz.export_report": Entry(get=TRAINERS),
}

# --- JSON API (portal/api); the same rules as the pages, answered with JSON errors ----------------
API = {
    "api.openapi": Entry(get=EVERYONE),
    "api.search": Entry(get=EVERYONE, query={"q": "忘记密码"}),
    "api.suggest": Entry(get=EVERYONE, query={"q": "忘记"}),
    "api.me": Entry(get=SIGNED_IN),
    "api.list_tickets": Entry(get=SIGNED_IN),
    "api.create_ticket": Entry(post=SIGNED_IN, json={}),
    "api.get_ticket": Entry(get=owner_or(AGENTS), args={"ticket_id": "ticket"}),
    "api.list_approvals": Entry(get=SIGNED_IN),
    "api.create_approval": Entry(post=SIGNED_IN, json={}),
    "api.get_approval": Entry(get=owner_or({APPROVER, ADMIN}), args=REQUEST),
    "api.decide_approval": Entry(post=frozenset({APPROVER}), args=REQUEST, json={"decision": "approve"}),
}

# blueprint name → its entries ("" for routes outside any blueprint). A new blueprint: add a dict
# above and list it here.
BLUEPRINTS: dict[str, dict[str, Entry | tuple[Entry, ...]]] = {
    "": STATIC,
    "web": WEB,
    "auth": AUTH,
    "accounts": ACCOUNTS,
    "audit": AUDIT,
    "search": SEARCH,
    "kb": KB,
    "tickets": TICKETS,
    "notify": NOTIFY,
    "approvals": APPROVALS,
    "quiz": QUIZ,
    "api": API,
}


def blueprint_of(endpoint: str) -> str:
    return endpoint.rsplit(".", 1)[0] if "." in endpoint else ""


def table_name(blueprint: str) -> str:
    """The dict an endpoint of `blueprint` belongs in (named after the blueprint)."""
    return "STATIC" if blueprint == "" else blueprint.upper().replace(".", "_")


def entries() -> dict[str, tuple[Entry, ...]]:
    """endpoint → its entries (one, or several: the first covers every method of the route)."""
    out: dict[str, tuple[Entry, ...]] = {}
    for blueprint, rows in BLUEPRINTS.items():
        for endpoint, row in rows.items():
            assert blueprint_of(endpoint) == blueprint, f"{endpoint} is listed under {table_name(blueprint)}"
            out[endpoint] = row if isinstance(row, tuple) else (row,)
            assert all(e.label for e in out[endpoint][1:]), f"{endpoint}: a further entry needs label="
    return out
