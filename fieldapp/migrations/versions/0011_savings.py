"""what it saved: handed-out items on records, installed measures as rows, versioned savings
figures and prices seeded with DOMAIN.md's defaults (issue 17)

`records.handed_out` is added in place (not through a batch copy: SQLite cannot copy records
while referrals point at them). The installed measures of the klus records already stored are
copied into their table; every stored measure was installed, as not-possible ones are new.

Revision ID: 0011_savings
Revises: 0010_initiatives
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime

revision = "0011_savings"
down_revision = "0010_initiatives"
branch_labels = None
depends_on = None

QUANTITIES = ("kwh", "gas_m3", "water_m3")
LEVELS = ("low", "default", "high")
CHUNK = 5000


def _seed(figures, prices) -> None:
    from fieldapp.savings import defaults
    from fieldapp.timeutil import utcnow

    now = utcnow()
    op.bulk_insert(figures, defaults.figure_rows(now))
    op.bulk_insert(prices, defaults.price_rows(now))


def _copy_installed() -> None:
    from fieldapp.savings.measures import measure_rows

    bind = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Uuid()), sa.column("street_id", sa.Integer()),
                       sa.column("address_id", sa.Integer()), sa.column("occurred_at", UtcDateTime()),
                       sa.column("measures", sa.JSON()), sa.column("channel", sa.String()))
    measures = sa.table("installed_measures", sa.column("record_id", sa.Uuid()), sa.column("street_id", sa.Integer()),
                        sa.column("address_id", sa.Integer()), sa.column("day", sa.Integer()),
                        sa.column("code", sa.String()), sa.column("quantity", sa.Integer()))
    result = bind.execute(
        sa.select(records.c.id, records.c.street_id, records.c.address_id, records.c.occurred_at,
                  records.c.measures).where(records.c.channel == "klus").execution_options(yield_per=CHUNK))
    for part in result.partitions(CHUNK):
        rows = measure_rows(part)
        if rows:
            bind.execute(measures.insert(), rows)


def upgrade() -> None:
    op.add_column("records", sa.Column("handed_out", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    amounts = [sa.Column(f"{q}_{level}", sa.Float(), nullable=False) for q in QUANTITIES for level in LEVELS]
    figures = op.create_table(
        "saving_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("from_day", sa.Integer(), nullable=False),
        *amounts,
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_saving_figures_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saving_figures")),
        sa.UniqueConstraint("measure", "valid_from", name=op.f("uq_saving_figures_measure_valid_from")),
    )
    prices = op.create_table(
        "energy_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=12), nullable=False),
        sa.Column("euro_per_unit", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("from_day", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_energy_prices_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_prices")),
        sa.UniqueConstraint("carrier", "valid_from", name=op.f("uq_energy_prices_carrier_valid_from")),
    )
    op.create_table(
        "installed_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_installed_measures_record_id_records")),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_installed_measures_street_id_streets")),
        sa.ForeignKeyConstraint(["address_id"], ["addresses.id"],
                                name=op.f("fk_installed_measures_address_id_addresses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installed_measures")),
    )
    op.create_index(op.f("ix_installed_measures_record_id"), "installed_measures", ["record_id"])
    op.create_index("ix_installed_measures_code_day", "installed_measures", ["code", "day", "street_id", "quantity"])
    op.create_index("ix_installed_measures_street_day", "installed_measures",
                    ["street_id", "day", "address_id", "record_id"])
    _seed(figures, prices)
    _copy_installed()


def downgrade() -> None:
    op.drop_table("installed_measures")
    op.drop_table("energy_prices")
    op.drop_table("saving_figures")
    # A measure recorded as not possible has no place before this revision: it goes, installed ones stay.
    # (Done in Python: JSON functions differ between the databases, and klus records are few.)
    bind = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Uuid()), sa.column("measures", sa.JSON()),
                       sa.column("channel", sa.String()))
    for record_id, measures in bind.execute(sa.select(records.c.id, records.c.measures)
                                            .where(records.c.channel == "klus")).all():
        kept = [m for m in measures or [] if "not_possible" not in m]
        if kept != (measures or []):
            bind.execute(records.update().where(records.c.id == record_id).values(measures=kept))
    op.execute("ALTER TABLE records DROP COLUMN handed_out")
