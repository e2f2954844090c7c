"""Alembic environment: runs on the connection handed over by fieldapp.migrations.runner."""
from alembic import context

from fieldapp.db import Base
from fieldapp.models import import_all_models

import_all_models()
target_metadata = Base.metadata
connection = context.config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
