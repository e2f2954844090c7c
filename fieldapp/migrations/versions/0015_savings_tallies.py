"""the homes that got measures kept with the measures: each home's first row of a day carries
the home's previous day with measures, so the savings of any period count their homes in the
same pass as their sums (issue 17)

Revision ID: 0015_savings_tallies
Revises: 0014_followup_speed
"""
from alembic import op
import sqlalchemy as sa

revision = "0015_savings_tallies"
down_revision = "0014_followup_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from fieldapp.savings.measures import recount_homes

    op.add_column("installed_measures", sa.Column("home_prev_day", sa.Integer(), nullable=True))
    op.create_index("ix_installed_measures_address_day", "installed_measures", ["address_id", "day", "id"])
    recount_homes(Session(bind=op.get_bind()))
    op.create_index("ix_installed_measures_street_code_day", "installed_measures",
                    ["street_id", "code", "day", "quantity", "home_prev_day"])


def downgrade() -> None:
    op.drop_index("ix_installed_measures_street_code_day", table_name="installed_measures")
    op.drop_index("ix_installed_measures_address_day", table_name="installed_measures")
    op.drop_column("installed_measures", "home_prev_day")
