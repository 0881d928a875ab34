"""WSGI entry point: gunicorn --preload wsgi:app"""
from portal import create_app

app = create_app()
