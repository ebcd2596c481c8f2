"""badge credentials: signed Open Badges 3.0 credentials and their status list bits

Revision ID: 0006_badge_credentials
Revises: 0005_feedback_reports
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_badge_credentials'
down_revision = '0005_feedback_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badge_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('status_list', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=300), nullable=False),
    sa.Column('jwt', sa.Text(), nullable=False),
    sa.Column('data_integrity', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('status_index >= 0 AND status_index < 131072', name=op.f('ck_badge_credentials_status_index_range')),
    sa.CheckConstraint('status_list >= 1', name=op.f('ck_badge_credentials_status_list_positive')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_badge_credentials_certificate_id_certificates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_credentials')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_badge_credentials_certificate_id')),
    sa.UniqueConstraint('status_list', 'status_index', name=op.f('uq_badge_credentials_status_list_status_index'))
    )


def downgrade():
    op.drop_table('badge_credentials')
