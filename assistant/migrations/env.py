"""Alembic environment: runs on the connection Database.migrate() hands over (no alembic.ini needed)."""

from alembic import context

from assistant.db import Base

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
