"""accounts, sessions, audit and privacy (issue 6)

Revision ID: 0002_accounts
Revises: 0001_core
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

from fieldapp.db import UtcDateTime  # noqa: F401

revision = "0002_accounts"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
