"""the follow-up desk: routing per neighbourhood, spoken languages, each consented referral on
the desk with its partner, its events; a referral's end (closed_at); a partner's phone (issue 15)

Revision ID: 0006_followup_desk
Revises: 0005_versions_only
"""
import uuid

from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime

revision = "0006_followup_desk"
down_revision = "0005_versions_only"
branch_labels = None
depends_on = None

# DOMAIN.md's defaults as they stood when the desk came: the routing of referrals stored before it.
DEFAULT_ROUTES = {
    "energy_coach": "eas", "klusactie": "present", "debt_help": "schuldhulpmaatje", "money_questions": "goos",
    "energy_supplier_dispute": "goos", "portaal_repair": "portaal", "municipality_social": "gemeente",
    "other": "gemeente",
}


def upgrade() -> None:
    op.create_table(
        "referral_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhoods.id"],
                                name=op.f("fk_referral_routes_neighbourhood_id_neighbourhoods"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_referral_routes_partner_id_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_routes")),
        sa.UniqueConstraint("neighbourhood_id", "code", name=op.f("uq_referral_routes_neighbourhood_id_code")),
    )
    op.create_table(
        "user_languages",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_languages_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "language", name=op.f("pk_user_languages")),
    )
    op.create_table(
        "followups",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_followups_assignee_id_users")),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_followups_partner_id_partners")),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"], name=op.f("fk_followups_referral_id_referrals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_followups")),
    )
    op.create_index("ix_followups_assignee_status", "followups", ["assignee_id", "status"], unique=False)
    op.create_index("ix_followups_partner_status", "followups", ["partner_id", "status"], unique=False)
    op.create_table(
        "referral_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=12), nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("appointment_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=10), nullable=True),
        sa.Column("with_partner", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_referral_events_assignee_id_users")),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"],
                                name=op.f("fk_referral_events_referral_id_referrals"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_referral_events_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    op.create_index(op.f("ix_referral_events_referral_id"), "referral_events", ["referral_id"], unique=False)
    op.add_column("partners", sa.Column("phone", sa.String(length=30), nullable=True))
    op.add_column("referrals", sa.Column("closed_at", UtcDateTime(timezone=True), nullable=True))
    op.drop_index("ix_referrals_street", table_name="referrals")
    op.create_index("ix_referrals_street", "referrals",
                    ["consent", "street_id", "occurred_at", "answered_at", "closed_at", "due_date"], unique=False)
    _route_stored_referrals()


def _route_stored_referrals() -> None:
    """Every consented referral onto the desk with its default partner; an answered one as
    `contacted`, with the answer as its first event."""
    bind = op.get_bind()
    partner_of = dict(bind.execute(sa.text("SELECT code, id FROM partners")).all())
    cases = " ".join(f"WHEN '{code}' THEN {partner_of[partner]}"
                     for code, partner in DEFAULT_ROUTES.items() if partner in partner_of)
    routed = f"CASE r.code {cases} ELSE NULL END" if cases else "NULL"
    bind.execute(sa.text(
        f"INSERT INTO followups (referral_id, partner_id, status, language) "
        f"SELECT r.id, {routed}, CASE WHEN r.answered_at IS NULL THEN 'open' ELSE 'contacted' END, rec.language "
        f"FROM referrals r JOIN records rec ON rec.id = r.record_id WHERE r.consent"))
    refs = sa.table("referrals", sa.column("id"), sa.column("consent"), sa.column("answered_at", UtcDateTime()),
                    sa.column("answered_by_id"))
    answered = bind.execute(sa.select(refs.c.id, refs.c.answered_at, refs.c.answered_by_id)
                            .where(refs.c.consent == sa.true(), refs.c.answered_at.is_not(None))).all()
    events = sa.table("referral_events", sa.column("id", sa.Uuid()), sa.column("referral_id"), sa.column("type"),
                      sa.column("at", UtcDateTime()), sa.column("sent_by_id"), sa.column("received_at", UtcDateTime()),
                      sa.column("fingerprint"))
    rows = [{"id": uuid.uuid4(), "referral_id": rid, "type": "contacted", "at": at, "sent_by_id": by,
             "received_at": at, "fingerprint": "migrated"} for rid, at, by in answered]
    if rows:
        bind.execute(events.insert(), rows)


def downgrade() -> None:
    # The desk's tables first: they reference referrals and partners.
    op.drop_index(op.f("ix_referral_events_referral_id"), table_name="referral_events")
    op.drop_table("referral_events")
    op.drop_index("ix_followups_partner_status", table_name="followups")
    op.drop_index("ix_followups_assignee_status", table_name="followups")
    op.drop_table("followups")
    op.drop_table("user_languages")
    op.drop_table("referral_routes")
    op.drop_index("ix_referrals_street", table_name="referrals")
    op.create_index("ix_referrals_street", "referrals",
                    ["consent", "street_id", "occurred_at", "answered_at", "due_date"], unique=False)
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding partners would
    # drop a table that users and records reference, which SQLite refuses with foreign keys on.
    op.drop_column("referrals", "closed_at")
    op.drop_column("partners", "phone")
