"""kb: pictures uploaded for articles and manual chapters

Revision ID: 4a7c2e9b5d13
Revises: 4d7c1e9a2b58
Create Date: 2026-12-06 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4a7c2e9b5d13"
down_revision = "4d7c1e9a2b58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kb_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_original", sa.String(length=64), nullable=False),
        sa.Column("stored_rendition", sa.String(length=64), nullable=True),
        sa.Column("rendition_width", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade():
    op.drop_table("kb_pictures")
