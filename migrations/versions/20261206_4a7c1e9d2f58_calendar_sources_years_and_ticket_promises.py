"""calendar: each day's source and the years loaded from the holidays package; tickets: the
engineer's new expected time and its reason after a due time passed

Revision ID: 4a7c1e9d2f58
Revises: 7b2e9c4d1f6a
Create Date: 2026-12-06 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4a7c1e9d2f58"
down_revision = "7b2e9c4d1f6a"
branch_labels = None
depends_on = None


def upgrade():
    # the days entered so far (the 2026 list and administrators' own) count as administrators': no sync changes them
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=40), nullable=False, server_default="admin"))
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["checked_by_id"], ["users.id"], name=op.f("fk_calendar_years_checked_by_id_users")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    # existing tickets keep their tier (simple or complex); only new ones start in the default tier
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("expected_reason", sa.String(length=300), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("expected_reason")
        batch_op.drop_column("expected_at")
    op.drop_table("calendar_years")
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_column("source")
