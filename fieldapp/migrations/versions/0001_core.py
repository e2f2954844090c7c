"""core schema

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-23 11:56:46.069311
"""
from alembic import op
import sqlalchemy as sa

from fieldapp.db import UtcDateTime


revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('neighbourhoods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_neighbourhoods')),
    sa.UniqueConstraint('name', name=op.f('uq_neighbourhoods_name'))
    )
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('code', name=op.f('uq_partners_code'))
    )
    op.create_table('streets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('centroid_lat', sa.Float(), nullable=True),
    sa.Column('centroid_lon', sa.Float(), nullable=True),
    sa.Column('geometry', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_streets_neighbourhood_id_neighbourhoods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_streets')),
    sa.UniqueConstraint('neighbourhood_id', 'name', name=op.f('uq_streets_neighbourhood_id_name'))
    )
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_streets_neighbourhood_id'), ['neighbourhood_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_users_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('addition', sa.String(length=10), nullable=False),
    sa.Column('postcode', sa.String(length=7), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('tenure', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_addresses_street_id_streets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses')),
    sa.UniqueConstraint('street_id', 'number', 'addition', name=op.f('uq_addresses_street_id_number_addition'))
    )
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addresses_street_id'), ['street_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('expires_at', UtcDateTime(), nullable=False),
    sa.Column('revoked_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('user_neighbourhoods',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_user_neighbourhoods_neighbourhood_id_neighbourhoods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_neighbourhoods_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'neighbourhood_id', name=op.f('pk_user_neighbourhoods'))
    )
    op.create_table('records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('house_number', sa.Integer(), nullable=True),
    sa.Column('house_addition', sa.String(length=10), nullable=True),
    sa.Column('occurred_at', UtcDateTime(), nullable=False),
    sa.Column('language', sa.String(length=3), nullable=False),
    sa.Column('taalcoach_present', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('measures', sa.JSON(), nullable=False),
    sa.Column('heard_via', sa.String(length=30), nullable=True),
    sa.Column('partners', sa.JSON(), nullable=False),
    sa.Column('partner_count', sa.SmallInteger(), nullable=False),
    sa.Column('ambassador', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.String(length=500), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_partner_id', sa.Integer(), nullable=False),
    sa.Column('received_at', UtcDateTime(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_records_address_id_addresses')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_records_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_partner_id'], ['partners.id'], name=op.f('fk_records_recorded_by_partner_id_partners')),
    sa.ForeignKeyConstraint(['street_id'], ['streets.id'], name=op.f('fk_records_street_id_streets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_address_id'), ['address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_records_recorded_by_occurred', ['recorded_by_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_records_street_occurred', ['street_id', 'occurred_at'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('answered_at', UtcDateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_referrals_answered_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_referrals_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_open', ['consent', 'answered_at', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_record_id'))
        batch_op.drop_index('ix_referrals_open')

    op.drop_table('referrals')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_street_occurred')
        batch_op.drop_index('ix_records_recorded_by_occurred')
        batch_op.drop_index(batch_op.f('ix_records_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_records_address_id'))

    op.drop_table('records')
    op.drop_table('user_neighbourhoods')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addresses_street_id'))

    op.drop_table('addresses')
    op.drop_table('users')
    with op.batch_alter_table('streets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_streets_neighbourhood_id'))

    op.drop_table('streets')
    op.drop_table('partners')
    op.drop_table('neighbourhoods')
