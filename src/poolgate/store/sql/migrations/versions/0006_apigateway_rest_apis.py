"""apigateway REST APIs made through the API: working copies, deployments (snapshots), stages

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigw_rest_apis",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=12), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("root_id", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=True),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_apigw_rest_apis_owner", "apigw_rest_apis", ["account", "region"])
    op.create_table(
        "apigw_resources",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=16), nullable=True),
        sa.Column("path_part", sa.String(length=255), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("variable_parent", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["api_id"], ["apigw_rest_apis.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["api_id", "parent_id"], ["apigw_resources.api_id", "apigw_resources.id"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "id"),
        sa.UniqueConstraint("api_id", "parent_id", "path_part", name="uq_apigw_resources_sibling"),
        sa.UniqueConstraint("api_id", "variable_parent", name="uq_apigw_resources_variable"),
    )
    op.create_table(
        "apigw_methods",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=16), nullable=False),
        sa.Column("http_method", sa.String(length=8), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["api_id", "resource_id"], ["apigw_resources.api_id", "apigw_resources.id"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "resource_id", "http_method"),
    )
    op.create_table(
        "apigw_integrations",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=16), nullable=False),
        sa.Column("http_method", sa.String(length=8), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["api_id", "resource_id", "http_method"],
                                ["apigw_methods.api_id", "apigw_methods.resource_id", "apigw_methods.http_method"],
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "resource_id", "http_method"),
    )
    op.create_table(
        "apigw_authorizers",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["api_id"], ["apigw_rest_apis.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "id"),
    )
    op.create_table(
        "apigw_deployments",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["api_id"], ["apigw_rest_apis.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_id", "id"),
    )
    op.create_table(
        "apigw_stages",
        sa.Column("api_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("deployment_id", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("modified", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["api_id"], ["apigw_rest_apis.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["api_id", "deployment_id"], ["apigw_deployments.api_id", "apigw_deployments.id"]),
        sa.PrimaryKeyConstraint("api_id", "name"),
    )
    changes = op.create_table(
        "apigw_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(changes, [{"id": 1, "version": 0}])


def downgrade() -> None:
    for table in ("apigw_changes", "apigw_stages", "apigw_deployments", "apigw_authorizers", "apigw_integrations",
                  "apigw_methods", "apigw_resources"):
        op.drop_table(table)
    op.drop_index("ix_apigw_rest_apis_owner", table_name="apigw_rest_apis")
    op.drop_table("apigw_rest_apis")
