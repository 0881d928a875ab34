"""Background jobs of the search domain: the index writer and its safety nets."""

from __future__ import annotations

from portal.core.jobs import crontab, job, periodic_job
from portal.search import log, queue, services


@job(queue.DRAIN_JOB, retries=5, retry_delay=2)
def drain_index_queue():
    """The single writer: apply the outbox (services enqueue this by name after their commit)."""
    return queue.drain()


@periodic_job(crontab(minute="*"))
def drain_index_queue_periodically():
    """Safety net: picks up changes whose kick was lost (process died after the commit)."""
    if queue.pending():
        queue.drain()


@periodic_job(crontab(minute="*/15"))
def repair_index_drift():
    """Popularity and anything else that changed without an index job."""
    services.check(repair=True)


@periodic_job(crontab(minute="17", hour="3"))
def prune_search_log():
    """The log serves analytics of the last months; older rows (and their clicks) go."""
    log.prune()
