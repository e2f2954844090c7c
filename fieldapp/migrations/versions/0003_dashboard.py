"""dashboard indexes (issue 5)

Revision ID: 0003_dashboard
Revises: 0002_accounts
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

from fieldapp.db import UtcDateTime  # noqa: F401

revision = "0003_dashboard"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
