"""The unit of work: one commit, a rollback on any error, hooks only after a commit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal.core import uow
from portal.core.calendar_days import CalendarDay
from portal.core.errors import Conflict, InvalidInput
from portal.extensions import db

YEAR = 2031  # the seeded reference data has national holidays of other years


def _days() -> list[str]:
    db.session.expire_all()
    rows = db.session.scalars(select(CalendarDay).order_by(CalendarDay.day))
    return [d.name for d in rows if d.day.year == YEAR]


def _add(day: str, name: str) -> None:
    db.session.add(CalendarDay(day=date.fromisoformat(day), kind="holiday", name=name))


def test_commits_once_at_the_end_and_then_runs_the_hooks(app):
    ran: list[tuple[str, list[str]]] = []
    with app.app_context():
        with uow.unit_of_work():
            _add("2031-01-01", "元旦")
            uow.after_commit(lambda: ran.append(("hook", _days())))
            assert ran == []  # not before the commit
        assert ran == [("hook", ["元旦"])]  # the hook sees committed data
        db.session.remove()
        assert _days() == ["元旦"]  # a new session sees it: it was committed


def test_any_error_rolls_back_everything_and_drops_the_hooks(app):
    ran = []
    with app.app_context():
        with pytest.raises(InvalidInput), uow.unit_of_work():
            _add("2031-01-01", "元旦")
            db.session.flush()  # written to the transaction already
            uow.after_commit(ran.append, "hook")
            raise InvalidInput({"name": "bad"})
        assert ran == []
        assert _days() == []


def test_nested_units_join_the_outermost_one(app):
    with app.app_context():
        with pytest.raises(RuntimeError), uow.unit_of_work():
            with uow.unit_of_work():
                _add("2031-01-01", "元旦")
            assert uow.active()  # the inner block did not commit
            _add("2031-10-01", "国庆节")
            raise RuntimeError("a later step fails")
        assert _days() == []  # the inner block's row went with the outer rollback
        assert not uow.active()


def test_the_same_hook_asked_for_twice_runs_once(app):
    ran = []
    with app.app_context(), uow.unit_of_work():
        for ticket in (1, 2, 2, 3):
            uow.after_commit(ran.append, "kick")
            uow.after_commit(ran.append, ticket)
    assert ran == ["kick", 1, 2, 3]


def test_rollback_hooks_undo_what_the_database_cannot_however_deep_the_nesting(app):
    undone = []
    with app.app_context():
        with pytest.raises(RuntimeError), uow.unit_of_work():
            with uow.unit_of_work():  # a service that stored a file, called by another service
                uow.on_rollback(undone.append, "file-a")
            raise RuntimeError("the outer service fails after the inner one succeeded")
        assert undone == ["file-a"]
        with uow.unit_of_work():
            uow.on_rollback(undone.append, "file-b")
        assert undone == ["file-a"]  # committed: nothing to undo
        uow.on_rollback(undone.append, "file-c")  # outside a unit of work: not kept
        with uow.unit_of_work():
            pass
        assert undone == ["file-a"]


def test_a_stored_upload_is_deleted_when_its_unit_of_work_rolls_back(app, tmp_path):
    from portal.core import uploads

    with app.app_context():
        app.config["STORAGE_DIR"] = str(tmp_path / "files")
        with pytest.raises(InvalidInput), uow.unit_of_work():
            with uow.unit_of_work():
                lost = uploads.store(uploads.Upload("截图.png", "image/png", b"png"))
            assert uploads.path_of(lost).exists()
            raise InvalidInput({"body": "later field refused"})
        assert not uploads.path_of(lost).exists()
        with uow.unit_of_work():
            kept = uploads.store(uploads.Upload("截图.png", "image/png", b"png"))
        assert uploads.path_of(kept).read_bytes() == b"png"


def test_a_hook_registered_outside_a_unit_of_work_runs_at_once(app):
    ran = []
    with app.app_context():
        uow.after_commit(ran.append, 1)
    assert ran == [1]


def test_a_stale_row_becomes_one_conflict_with_the_given_message(app):
    with app.app_context():
        with pytest.raises(Conflict) as err, uow.unit_of_work(conflict="changed meanwhile"):
            _add("2031-01-01", "元旦")
            raise StaleDataError("version mismatch")
        assert err.value.message == "changed meanwhile"
        assert err.value.status == 409
        assert _days() == []


def test_transactional_wraps_a_whole_service(app):
    @uow.transactional
    def service(fail: bool) -> str:
        _add("2031-05-01", "劳动节")
        if fail:
            raise InvalidInput({"day": "no"})
        return "ok"

    with app.app_context():
        with pytest.raises(InvalidInput):
            service(True)
        assert _days() == []
        assert service(False) == "ok"
        assert _days() == ["劳动节"]


def test_a_failing_hook_fails_the_test_run_but_the_data_stays(app):
    """In the suite jobs run inline: their errors surface; the data was committed before."""

    def broken():
        raise ValueError("queue down")

    with app.app_context():
        with pytest.raises(ValueError), uow.unit_of_work():
            _add("2031-01-01", "元旦")
            uow.after_commit(broken)
        assert _days() == ["元旦"]


def test_calendar_day_service_refuses_bad_input_and_keeps_nothing(app):
    from portal.core import calendar_days

    with app.app_context():
        with pytest.raises(InvalidInput) as err:
            calendar_days.set_day("2031-13-01", "holiday", "x")
        assert set(err.value.errors) == {"day"}
        with pytest.raises(InvalidInput) as err:
            calendar_days.set_day("2031-01-01", "party", "x")
        assert set(err.value.errors) == {"kind"}
        assert _days() == []
        calendar_days.set_day("2031-01-01", "holiday", "  元旦  ")
        calendar_days.set_day("2031-01-01", "workday", "调休")  # replaces what the day was
        assert _days() == ["调休"]
        holidays, workdays = calendar_days.exceptions()
        assert date(2031, 1, 1) in workdays and date(2031, 1, 1) not in holidays
        assert calendar_days.remove_day("2031-01-01") is True
        assert calendar_days.remove_day("2031-01-01") is False
        assert calendar_days.remove_day("nonsense") is False
