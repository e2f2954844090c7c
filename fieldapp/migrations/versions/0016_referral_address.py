"""referrals keep their record's registered address, as they keep its street and time: a chosen
period's trust ladder finds the addresses with a consented referral in the referrals' own index
instead of looking up the record of each referral (issue 17)

Revision ID: 0016_referral_address
Revises: 0015_savings_tallies
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.migrations.references import add_reference, drop_reference

revision = "0016_referral_address"
down_revision = "0015_savings_tallies"
branch_labels = None
depends_on = None

STREET_COLUMNS = ["consent", "street_id", "occurred_at", "answered_at", "closed_at", "due_date"]


def upgrade() -> None:
    add_reference("referrals", "address_id", sa.Integer(), "addresses")
    op.execute("UPDATE referrals SET address_id = "
               "(SELECT records.address_id FROM records WHERE records.id = referrals.record_id)")
    op.drop_index("ix_referrals_street", table_name="referrals")
    op.create_index("ix_referrals_street", "referrals", [*STREET_COLUMNS, "address_id"])


def downgrade() -> None:
    op.drop_index("ix_referrals_street", table_name="referrals")
    op.create_index("ix_referrals_street", "referrals", STREET_COLUMNS)
    drop_reference("referrals", "address_id", "addresses")
