"""Per source, the entries it published (how often it publishes), and a unique name; per
item, the publication's own name for itself.

Revision ID: 20261126_0004
Revises: 20261125_0003
Create Date: 2026-11-26 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.base import UTCDateTime

revision: str = "20261126_0004"
down_revision: str | None = "20261125_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, no batch: on SQLite a batch rebuilds the table, and with foreign
    # keys on, dropping the old copy fires their ON DELETE actions (mentions deleted).
    op.add_column(
        "sources", sa.Column("entries_found", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("sources", sa.Column("last_entry_at", UTCDateTime(), nullable=True))
    # Until now only stored items were counted; they are the best estimate there is, and
    # starting from nothing would flag every source as quiet.
    op.execute("UPDATE sources SET entries_found = items_found, last_entry_at = last_item_at")
    op.add_column("items", sa.Column("site_name", sa.String(length=300), nullable=True))
    # Source names become unique (the registry's promise); any double gets its id added.
    op.execute(
        "UPDATE sources SET name = substr(name, 1, 180) || ' (' || CAST(id AS VARCHAR(20)) "
        "|| ')' WHERE id NOT IN (SELECT min(id) FROM sources GROUP BY name)"
    )
    op.create_index("uq_sources_name", "sources", ["name"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_sources_name", table_name="sources")
    # SQLite 3.35+ and PostgreSQL drop a column in place (see upgrade for why no batch).
    op.drop_column("items", "site_name")
    op.drop_column("sources", "last_entry_at")
    op.drop_column("sources", "entries_found")
