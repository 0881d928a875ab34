"""What each recorded action is called on screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in failed"),
    "sign_out": _l("Signed out"),
    "account_locked": _l("Account locked"),
    "account_unlocked": _l("Account unlocked"),
    "session_revoked": _l("Session ended"),
    "sessions_revoked": _l("Signed out everywhere"),
    "password_changed": _l("Password changed"),
    "password_reset_requested": _l("Password reset requested"),
    "password_reset": _l("Password reset by e-mail"),
    "password_admin_reset": _l("Password reset by an administrator"),
    "two_factor_enabled": _l("Two-factor sign-in turned on"),
    "two_factor_disabled": _l("Two-factor sign-in turned off"),
    "two_factor_failed": _l("Wrong second-factor code"),
    "recovery_code_used": _l("Recovery code used"),
    "recovery_codes_regenerated": _l("New recovery codes"),
    "sign_in_code_sent": _l("Sign-in code e-mailed"),
    "sign_in_unchecked": _l("Unusual sign-in not checked (no e-mail, no authenticator)"),
    "device_trusted": _l("Browser trusted"),
    "device_forgotten": _l("Trusted browser removed"),
    "user_created": _l("Account created"),
    "user_updated": _l("Account changed"),
    "roles_changed": _l("Roles changed"),
    "user_deactivated": _l("Account closed"),
    "user_reactivated": _l("Account reopened"),
    "users_imported": _l("Accounts imported"),
    "department_changed": _l("Department changed"),
    "region_changed": _l("Region changed"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "export": _l("Data exported"),
    "certificate_revoked": _l("Certificate revoked"),
    "view_ticket": _l("Viewed an employee's ticket"),
    "view_attachment": _l("Opened an employee's attachment"),
    "view_profile": _l("Viewed an employee's profile"),
    "calendar_day_set": _l("Calendar day entered"),
    "calendar_day_removed": _l("Calendar day removed"),
    "calendar_synced": _l("Holidays loaded from the package"),
    "calendar_year_checked": _l("Calendar year checked"),
    "article_submitted": _l("Article submitted for review"),
    "article_published": _l("Article published"),
    "article_sent_back": _l("Article sent back to its author"),
    "article_unpublished": _l("Article unpublished"),
    "article_restored": _l("Article version restored"),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action
