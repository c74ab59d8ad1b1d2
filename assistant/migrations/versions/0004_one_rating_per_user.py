"""One rating per user and answer: earlier duplicates keep only the newest, then a unique index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Every rating but the newest of each (answer, user); ratings without a user are left as they are.
OLDER = """
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY exchange_id, user_id ORDER BY created_at DESC, id DESC) AS n
        FROM feedback WHERE user_id IS NOT NULL
    ) ranked WHERE n > 1
"""


def upgrade() -> None:
    op.execute(sa.text(f"DELETE FROM review_states WHERE kind = 'answer' AND source_id IN ({OLDER})"))
    op.execute(sa.text(f"DELETE FROM feedback WHERE id IN ({OLDER})"))
    op.create_index("uq_feedback_exchange_user", "feedback", ["exchange_id", "user_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_feedback_exchange_user", table_name="feedback")
