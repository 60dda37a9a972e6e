"""Entries looked at and not stored, so their pages are not fetched again.

Revision ID: 20261125_0003
Revises: 20261125_0002
Create Date: 2026-11-25 16:46:07.411328
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.base import UTCDateTime

revision: str = "20261125_0003"
down_revision: str | None = "20261125_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_seen_entries_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_entries")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_seen_entries_canonical_url")),
    )
    with op.batch_alter_table("seen_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_entries_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_entries_seen_at"))

    op.drop_table("seen_entries")
