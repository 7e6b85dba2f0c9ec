"""user-pool identity providers and federated identities (federation helper)

Revision ID: 0014
Revises: 0013

RESERVED link of the migration chain 0013 → 0014 (federation) → 0015 (devices) → 0016 (passkeys) → 0017 (IAM
users): the owner of this area fills upgrade()/downgrade() in THIS file (keep the file name and revision id;
do not create another 0014).
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
