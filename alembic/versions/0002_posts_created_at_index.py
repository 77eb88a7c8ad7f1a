"""index posts by creation time for the explore feed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Explore lists everyone's posts newest first."""
    op.create_index("ix_posts_created_at", "posts", ["created_at"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_posts_created_at", table_name="posts")
