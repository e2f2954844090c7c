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
    with op.batch_alter_table("records", schema=None) as batch_op:
        # Step 5 of the trust ladder: an earlier record at the same address.
        batch_op.create_index("ix_records_address_occurred", ["address_id", "occurred_at"], unique=False)
        # Covering index for the one grouped pass the street figures make (see dashboard/models.py).
        batch_op.create_index(
            "ix_records_dashboard",
            ["street_id", "address_id", "occurred_at", "channel", "outcome", "language",
             "taalcoach_present", "partner_count", "ambassador"],
            unique=False,
        )
        # Language mix: records per (street, language) in index order.
        batch_op.create_index("ix_records_street_language", ["street_id", "language", "occurred_at"], unique=False)
        # The figures cache's version stamp: the newest record received.
        batch_op.create_index("ix_records_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_received_at")
        batch_op.drop_index("ix_records_street_language")
        batch_op.drop_index("ix_records_dashboard")
        batch_op.drop_index("ix_records_address_occurred")
