"""kb: articles in draft, review or published (replacing the published flag), why they were
drafted, who reviewed them; every article's versions

Revision ID: 4d7c1e9a2b58
Revises: 4a7c1e9d2f58
Create Date: 2026-12-06 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4d7c1e9a2b58"
down_revision = "4a7c1e9d2f58"
branch_labels = None
depends_on = None


FOREIGN_KEYS = [
    ("origin_article_id", "articles", None),
    ("submitted_by_id", "users", None),
    ("reviewed_by_id", "users", None),
]


def upgrade():
    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("category_name", sa.String(length=60), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_versions_article_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_article_versions_author_id_users")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_article_versions_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_versions")),
        sa.UniqueConstraint("article_id", "number", name="uq_article_versions_number"),
    )
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_versions_article_id"), ["article_id"], unique=False)

    # On SQLite only ALTER TABLE ADD/DROP COLUMN, never a batch copy of `articles`: the copy drops
    # the old table, and with foreign keys on SQLite's implicit DELETE would cascade to every
    # vote and curator link and unlink every ticket from its FAQ.
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("articles", sa.Column("status", sa.String(length=10), nullable=False, server_default="draft"))
    op.add_column("articles", sa.Column("origin", sa.String(length=10), nullable=False, server_default="curator"))
    op.add_column("articles", sa.Column("origin_query", sa.String(length=200), nullable=False, server_default=""))
    for column, table, ondelete in FOREIGN_KEYS:
        name = f"fk_articles_{column}_{table}"
        if sqlite:
            op.execute(
                f"ALTER TABLE articles ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {table} (id)"
                + (f" ON DELETE {ondelete}" if ondelete else "")
            )
        else:
            op.add_column("articles", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(name), "articles", table, [column], ["id"], ondelete=ondelete)
    op.add_column("articles", sa.Column("submitted_at", sa.DateTime(), nullable=True))
    op.add_column("articles", sa.Column("reviewed_at", sa.DateTime(), nullable=True))
    op.add_column("articles", sa.Column("review_note", sa.String(length=500), nullable=False, server_default=""))
    op.add_column("articles", sa.Column("published_at", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_articles_status"), "articles", ["status"], unique=False)

    # what was published stays published; a ticket's draft says so; imported rows came from a file
    op.execute("UPDATE articles SET status = CASE WHEN published THEN 'published' ELSE 'draft' END")
    op.execute("UPDATE articles SET published_at = updated_at WHERE status = 'published'")
    op.execute("UPDATE articles SET origin = 'ticket' WHERE source_ticket_id IS NOT NULL")
    op.execute("UPDATE articles SET origin = 'import' WHERE source_ticket_id IS NULL AND external_id IS NOT NULL")
    op.drop_column("articles", "published")  # SQLite 3.35+: ALTER TABLE DROP COLUMN, no copy

    # every article starts its history with what it says now
    op.execute(
        "INSERT INTO article_versions (article_id, number, title, body, kind, category_id, category_name,"
        " author_id, note, created_at)"
        " SELECT a.id, 1, a.title, a.body, a.kind, a.category_id, COALESCE(c.name, ''), a.author_id, '', a.updated_at"
        " FROM articles a LEFT JOIN categories c ON c.id = a.category_id"
    )


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE articles SET published = (status = 'published')")
    sqlite = op.get_bind().dialect.name == "sqlite"
    # On SQLite a column with a foreign key cannot be dropped in place: the way down copies
    # `articles` in a batch (which drops its foreign keys with the columns) — for development
    # databases only, as the copy's implicit DELETE cascades to votes and links.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        if not sqlite:
            for column, table, _ondelete in reversed(FOREIGN_KEYS):
                batch_op.drop_constraint(batch_op.f(f"fk_articles_{column}_{table}"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_articles_status"))
        for column in (
            "published_at",
            "review_note",
            "reviewed_at",
            "reviewed_by_id",
            "submitted_at",
            "submitted_by_id",
            "origin_article_id",
            "origin_query",
            "origin",
            "status",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_versions_article_id"))
    op.drop_table("article_versions")
