"""The unit of work: services own the transaction.

    with unit_of_work():
        ...write...
        after_commit(queue.kick)

commits once when the outermost block ends, rolls back on any error (nothing is half saved),
and only then runs the after-commit hooks: enqueueing jobs, clearing caches. A service called
from inside another service's unit of work joins it, so a form that drives several services
(the ticket manage form) is one transaction. `@transactional` wraps a whole service function.
`on_rollback` undoes what the database cannot (a file already written to the store).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from portal.core.errors import Conflict
from portal.extensions import db

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
_DEPTH, _HOOKS, _UNDO = "uow.depth", "uow.after_commit", "uow.on_rollback"


def active() -> bool:
    """Inside a unit of work (so a commit now would be someone else's)."""
    return bool(db.session.info.get(_DEPTH))


def after_commit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run fn(*args, **kwargs) once the surrounding unit of work has committed; dropped if it
    rolls back. The same hook asked for twice (every ticket of a bulk assignment kicks the index
    writer) runs once. Outside a unit of work (a script, a test) the hook runs at once."""
    info = db.session.info
    if not info.get(_DEPTH):
        fn(*args, **kwargs)
        return
    hooks = info.setdefault(_HOOKS, [])
    if (fn, args, kwargs) not in hooks:
        hooks.append((fn, args, kwargs))


def on_rollback(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Undo something outside the database (a file written to the store) if the surrounding unit
    of work rolls back, however deeply it was nested; dropped once it commits. Outside a unit of
    work there is nothing to undo and the hook is not kept."""
    info = db.session.info
    if info.get(_DEPTH):
        info.setdefault(_UNDO, []).append((fn, args, kwargs))


@contextmanager
def unit_of_work(conflict: str | None = None) -> Iterator[Any]:
    """One transaction around the block; nested blocks join the outermost one.

    A version column that noticed a concurrent change (StaleDataError, at an autoflush or at the
    commit) becomes a Conflict with `conflict` as its message (or a general one): nothing of the
    block is written and the user is asked to refresh.
    """
    session = db.session
    info = session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException as err:
        if depth == 0:
            session.rollback()
            info.pop(_HOOKS, None)
            _undo(info.pop(_UNDO, []))
        if isinstance(err, StaleDataError) and (conflict or depth == 0):
            raise Conflict(conflict or _("Someone else changed this a moment ago. Refresh and try again.")) from None
        raise
    finally:
        info[_DEPTH] = depth
    if depth == 0:
        info.pop(_UNDO, None)
        _run_hooks(info.pop(_HOOKS, []))


def _undo(hooks: list) -> None:
    for fn, args, kwargs in hooks:
        try:  # the error that rolled back is the one to report; a failed clean-up is only logged
            fn(*args, **kwargs)
        except Exception:
            log.exception("rollback hook %s failed", getattr(fn, "__qualname__", fn))


def _run_hooks(hooks: list) -> None:
    for fn, args, kwargs in hooks:
        # The data is committed: a failing hook (a queue that is down) must not turn a saved
        # form into an error page. Jobs have their own safety nets (periodic catch-up sweeps).
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("after-commit hook %s failed", getattr(fn, "__qualname__", fn))
            if has_app_context() and current_app.testing:
                raise  # in the suite jobs run inline: their failures must fail the test


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """The whole service call is one unit of work."""

    @functools.wraps(fn)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return fn(*args, **kwargs)

    return wrapped
