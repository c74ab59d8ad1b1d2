"""Answer feedback.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("exchange_id", sa.String(32), sa.ForeignKey("exchanges.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("rating", sa.String(4), nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("comment", sa.Text),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("user_id", sa.String(200), index=True),
    )


def downgrade() -> None:
    op.drop_table("feedback")
