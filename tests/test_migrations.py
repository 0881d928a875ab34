"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import make_config


def test_migrations_match_the_models_and_downgrade_cleanly(tmp_path):
    app = create_app(make_config(tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(db.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
