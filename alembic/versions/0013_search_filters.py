"""search filters: case-folded genre and mood indexes, newest first

Search filters by `lower(genre)` / `lower(mood)` and orders by `published_at`; without
these a filter alone read the whole releases table (and PostgreSQL, with no statistics
on the expressions, planned it as a seq scan).

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-08
"""

import sqlalchemy as sa

from alembic import op

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two expression indexes."""
    op.create_index("ix_releases_genre_key", "releases", [sa.text("lower(genre)"), "published_at"])
    op.create_index("ix_releases_mood_key", "releases", [sa.text("lower(mood)"), "published_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_releases_mood_key", table_name="releases")
    op.drop_index("ix_releases_genre_key", table_name="releases")
