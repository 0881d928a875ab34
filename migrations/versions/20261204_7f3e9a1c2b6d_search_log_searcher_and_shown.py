"""search_log: a per-query mark of the signed-in searcher and the results shown

Revision ID: 7f3e9a1c2b6d
Revises: 7b2e4f1c9a30
Create Date: 2026-12-04 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7f3e9a1c2b6d"
down_revision = "7b2e4f1c9a30"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("searcher", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("shown", sa.String(length=255), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.drop_column("shown")
        batch_op.drop_column("searcher")
