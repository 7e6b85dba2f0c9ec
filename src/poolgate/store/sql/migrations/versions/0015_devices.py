"""device tracking (devices helper)

Revision ID: 0015
Revises: 0014

RESERVED link of the migration chain 0013 → 0014 (0014_identity_providers.py, federation) → 0015 (devices) → 0016 (passkeys) → 0017 (IAM
users): the owner of this area fills upgrade()/downgrade() in THIS file (keep the file name and revision id;
do not create another 0015).
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
