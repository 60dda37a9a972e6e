"""Reprint links per policy with a reason; item provenance and deletion; leases.

Revision ID: 20261125_0002
Revises: 20261125_0001
Create Date: 2026-11-25 16:39:00.290223
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.base import UTCDateTime

revision: str = "20261125_0002"
down_revision: str | None = "20261125_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_key", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("origin", sa.String(length=10), nullable=False, server_default="web")
        )
        batch_op.add_column(sa.Column("section", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("length_words", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_items_article_key"), ["article_key"], unique=False)
        batch_op.create_check_constraint("origin", "origin IN ('web', 'nexis', 'manual')")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.alter_column("origin", server_default=None)
    with op.batch_alter_table("reprint_links", schema=None) as batch_op:
        batch_op.drop_constraint("uq_reprint_links_item_id", type_="unique")
        batch_op.add_column(
            sa.Column(
                "policy",
                sa.String(length=30),
                nullable=False,
                server_default="regional_of_national",
            )
        )
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("decided_by", sa.String(length=20), nullable=False, server_default="auto")
        )
        batch_op.create_unique_constraint("uq_reprint_links_item_id_policy", ["item_id", "policy"])
        batch_op.create_check_constraint("policy", "policy IN ('regional_of_national', 'story')")
    with op.batch_alter_table("reprint_links", schema=None) as batch_op:
        for column in ("policy", "reason", "decided_by"):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM reprint_links WHERE policy <> 'regional_of_national'")
    with op.batch_alter_table("reprint_links", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reprint_links_policy"), type_="check")
        batch_op.drop_constraint("uq_reprint_links_item_id_policy", type_="unique")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("reason")
        batch_op.drop_column("policy")
        batch_op.create_unique_constraint("uq_reprint_links_item_id", ["item_id"])
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_items_origin"), type_="check")
        batch_op.drop_index(batch_op.f("ix_items_article_key"))
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("length_words")
        batch_op.drop_column("section")
        batch_op.drop_column("origin")
        batch_op.drop_column("article_key")

    op.drop_table("leases")
