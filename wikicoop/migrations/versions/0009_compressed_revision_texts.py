"""compressed revision texts (issue 13, point 4): filled in by that work

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:51:00.000000
"""


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
