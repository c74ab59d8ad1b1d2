"""Feedback loop: page comments, review states, eval cases and the comment (test) period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("page_id", sa.String(200), nullable=False, index=True),
        sa.Column("section", sa.String(300), nullable=False),
        sa.Column("page_version", sa.String(80), nullable=False),
        sa.Column("author", sa.String(200), nullable=False, index=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("redactions", sa.JSON, nullable=False),
    )
    op.create_table(
        "review_states",
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("source_id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("assignee", sa.String(200), index=True),
        sa.Column("resolution_note", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), index=True),
    )
    op.create_table(
        "eval_cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("gold_ids", sa.JSON, nullable=False),
        sa.Column("gold_sections", sa.JSON, nullable=False),
        sa.Column("source_item", sa.String(50), index=True),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "comment_periods",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in ("comment_periods", "eval_cases", "review_states", "page_comments"):
        op.drop_table(table)
