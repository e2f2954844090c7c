"""ownership codes on records instead of the ambassador flag, and the `event` channel in the
tallies (issue 16)

Records get `ownership` (a code list, like topics) and `ownership_bits` (the same codes as a bit
mask, for SQL); a record with ambassador = true gets ["ambassador"]; the flag goes. The address
tallies get a column for the event channel and one per ownership code, and are recounted.

Revision ID: 0008_ownership
Revises: 0007_followup_days
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = "0008_ownership"
down_revision = "0007_followup_days"
branch_labels = None
depends_on = None

# codes.OWNERSHIP as of this revision: its order gives each code its bit.
OWNERSHIP = ("brought_neighbour", "became_volunteer", "hosted", "cooked", "language_helper", "ambassador")
AMBASSADOR_BIT = 1 << OWNERSHIP.index("ambassador")
TALLIED = ("ch_event", *(f"own_{code}" for code in OWNERSHIP))
INDEXED = {
    # name: columns before the last one, which is the flag or its mask
    "ix_records_street_period": ["street_id", "occurred_at", "address_id", "channel", "outcome", "language",
                                 "taalcoach_present", "partner_count"],
    "ix_records_dashboard": ["street_id", "address_id", "occurred_at", "channel", "outcome", "language",
                             "taalcoach_present", "partner_count"],
}


def _records(*columns):
    return sa.table("records", *columns)


def _replace_indexes(last: str) -> None:
    for name, columns in INDEXED.items():
        op.create_index(name, "records", [*columns, last], unique=False)


def _drop_indexes() -> None:
    for name in INDEXED:
        op.drop_index(name, table_name="records")


def upgrade() -> None:
    # Added and dropped in place, not through a batch copy of the table: SQLite cannot copy
    # records while referrals point at them. In place, a new column needs a default to be NOT
    # NULL; it stays, so a row an older process inserts during a deploy still gets a value.
    op.add_column("records", sa.Column("ownership", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column("records", sa.Column("ownership_bits", sa.SmallInteger(), nullable=False, server_default="0"))
    records = _records(sa.column("ambassador", sa.Boolean()), sa.column("ownership", sa.JSON()),
                       sa.column("ownership_bits", sa.SmallInteger()))
    op.execute(records.update().where(records.c.ambassador == sa.true())
               .values(ownership=["ambassador"], ownership_bits=AMBASSADOR_BIT))
    _drop_indexes()
    op.drop_column("records", "ambassador")
    _replace_indexes("ownership_bits")

    with op.batch_alter_table("address_tallies", schema=None) as batch_op:
        for name in TALLIED:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("address_tallies", schema=None) as batch_op:
        for name in TALLIED:
            batch_op.alter_column(name, existing_type=sa.Integer(), server_default=None)

    # Recount every tally with the code that keeps them from now on (it reads the new columns).
    # Revision 0004 leaves the counting to this one, which is the first to see the tables whole.
    from fieldapp.dashboard import tallies

    session = Session(bind=op.get_bind())
    tallies.rebuild(session)
    session.flush()


def downgrade() -> None:
    # The tallies keep what they counted (event records, step 5 from any code) until the older
    # code recounts them: `fieldapp rebuild-tallies` after a downgrade.
    with op.batch_alter_table("address_tallies", schema=None) as batch_op:
        for name in TALLIED:
            batch_op.drop_column(name)
    op.add_column("records", sa.Column("ambassador", sa.Boolean(), nullable=False, server_default=sa.false()))
    records = _records(sa.column("ambassador", sa.Boolean()), sa.column("ownership_bits", sa.SmallInteger()))
    # The flag meant the ambassador code alone: the other codes have no place before this revision.
    op.execute(records.update().where(records.c.ownership_bits.op("&")(AMBASSADOR_BIT) != 0)
               .values(ambassador=sa.true()))
    _drop_indexes()
    op.drop_column("records", "ownership_bits")
    op.drop_column("records", "ownership")
    _replace_indexes("ambassador")
