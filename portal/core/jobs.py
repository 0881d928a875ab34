"""The durable job queue (Huey): SQLite storage embedded, Redis when deployed on several hosts.

Tasks are declared with @job at import time, before the app exists; init_app points the one
Huey instance at the configured storage and remembers the app so a consumer thread can push
an app context around each task. A task declared with a name (`@job("tickets.assign")`) can be
enqueued by that name: services schedule jobs through `enqueue` in an after-commit hook without
importing the tasks module that imports them.
"""

from __future__ import annotations

import atexit
import functools
import logging

from flask import Flask, has_app_context
from huey import Huey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger(__name__)

huey = Huey("portal", immediate=True, storage_class=MemoryStorage, utc=True)
_app: Flask | None = None

_named: dict[str, TaskWrapper] = {}

__all__ = ["huey", "job", "periodic_job", "crontab", "enqueue", "init_app", "start_consumer"]


def init_app(app: Flask) -> None:
    global _app
    _app = app
    if app.config["JOBS_IMMEDIATE"]:
        huey.immediate = True
        return
    huey.immediate = False
    if app.config.get("REDIS_URL"):
        huey.storage = RedisStorage("portal", url=app.config["REDIS_URL"])
    else:
        huey.storage = SqliteStorage("portal", filename=app.config["JOBS_DB"])


def _in_app_context(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        if has_app_context() or _app is None:
            return fn(*args, **kwargs)
        with _app.app_context():
            return fn(*args, **kwargs)

    return run


def job(name: str | None = None, **task_kwargs):
    """Declare a background task; calling it enqueues (or runs inline when JOBS_IMMEDIATE)."""

    def declare(fn):
        task = huey.task(**task_kwargs)(_in_app_context(fn))
        if name:
            _named[name] = task
        return task

    return declare


def enqueue(name: str, *args, **kwargs):
    """Queue the job declared as `name` (inline when JOBS_IMMEDIATE)."""
    try:
        task = _named[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}; is its tasks module imported by init_app?") from None
    return task(*args, **kwargs)


def periodic_job(validate_datetime, **task_kwargs):
    return lambda fn: huey.periodic_task(validate_datetime, **task_kwargs)(_in_app_context(fn))


class _EmbeddedConsumer(Consumer):
    """A consumer that runs beside the web server: the server keeps its own signal handling."""

    def _set_signal_handlers(self):
        pass


def start_consumer(workers: int = 2) -> Consumer:
    """Start worker and scheduler threads in this process (used by `portal serve`)."""
    consumer = _EmbeddedConsumer(
        huey,
        workers=workers,
        worker_type="thread",
        initial_delay=0.1,
        backoff=1.15,
        max_delay=0.5,
        check_worker_health=False,
    )
    consumer.start()
    atexit.register(consumer.stop, graceful=True)
    log.info("in-process job consumer started with %d thread(s)", workers)
    return consumer
