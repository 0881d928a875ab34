"""The injectable clock and the file store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.core import clock, storage


def test_the_clock_is_naive_utc_and_can_be_frozen():
    before = datetime.now(UTC).replace(tzinfo=None)
    now = clock.utcnow()
    assert now.tzinfo is None and abs(now - before) < timedelta(seconds=5)
    shanghai = timezone(timedelta(hours=8))
    with clock.frozen(datetime(2027, 1, 4, 9, 0, tzinfo=shanghai)):
        assert clock.utcnow() == datetime(2027, 1, 4, 1, 0)
        with clock.frozen(datetime(2027, 2, 1)):
            assert clock.utcnow() == datetime(2027, 2, 1)
        assert clock.utcnow() == datetime(2027, 1, 4, 1, 0)  # the outer freeze comes back
    assert abs(clock.utcnow() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


def test_model_defaults_read_the_injected_clock(app):
    from portal.extensions import db
    from portal.kb.models import Category

    with app.app_context(), clock.frozen(datetime(2027, 3, 1, 12, 0)):
        c = Category(name="时钟测试")
        db.session.add(c)
        db.session.flush()
        assert c.created_at == datetime(2027, 3, 1, 12, 0)
        db.session.rollback()


def test_aware_and_naive_round_trip():
    t = datetime(2027, 1, 1, 8, 30)
    assert clock.aware(t) == datetime(2027, 1, 1, 8, 30, tzinfo=UTC)
    assert clock.naive(clock.aware(t)) == t
    assert clock.aware(None) is None and clock.naive(None) is None


def test_local_store_writes_whole_files_under_random_names(tmp_path):
    store = storage.LocalStore(tmp_path / "area")
    a, b = store.put(b"first"), store.put(b"second")
    assert a != b and len(a) == 32
    assert store.read(a) == b"first" and store.path(b).read_bytes() == b"second"
    assert not list((tmp_path / "area").glob("*.part"))
    store.delete(a)
    store.delete(a)  # gone already: no error
    assert not store.path(a).exists()


@pytest.mark.parametrize("name", ["", "../secret_key", "a/b", ".hidden", "..\\x"])
def test_local_store_refuses_names_it_did_not_give(tmp_path, name):
    with pytest.raises(ValueError):
        storage.LocalStore(tmp_path).path(name)


def test_areas_live_under_the_configured_storage_dir(app, tmp_path):
    with app.app_context():
        app.config["STORAGE_DIR"] = str(tmp_path / "files")
        name = storage.area("attachments").put(b"x")
        assert (tmp_path / "files" / "attachments" / name).read_bytes() == b"x"


def test_an_application_may_carry_its_own_clock(app):
    """app.config["CLOCK"] moves the time for that application only (the quiz tests' timeline)."""
    with app.app_context():
        app.config["CLOCK"] = lambda: datetime(2030, 6, 1, 8, 0)
        assert clock.utcnow() == datetime(2030, 6, 1, 8, 0)
    assert clock.utcnow().year != 2030  # outside the application: the system clock
