"""WSGI entry point: gunicorn --preload wsgi:app (the search caches are built before the fork)."""

from portal import create_app

app = create_app()

with app.test_request_context():
    from portal.search.services import warm_up

    warm_up()
