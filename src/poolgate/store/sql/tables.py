"""The schema. Every change here comes with an Alembic revision under ``migrations/versions``."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

user_pools = Table(
    "user_pools", metadata,
    Column("id", String(55), primary_key=True),
    Column("region", String(32), nullable=False),
    Column("account", String(12), nullable=False),
    Column("name", String(128), nullable=False),
    Column("config", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

user_pool_clients = Table(
    "user_pool_clients", metadata,
    Column("client_id", String(128), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("secret", String(64)),
    Column("config", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

users = Table(
    "users", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("username", String(128), primary_key=True),
    Column("username_key", String(128), nullable=False),
    Column("sub", String(36), nullable=False, unique=True),
    Column("email_key", String(256)),
    Column("phone_key", String(32)),
    Column("preferred_key", String(128)),
    Column("status", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("attributes", JSON, nullable=False),
    Column("password_hash", Text),
    Column("password_set_at", Float),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=False, default=0.0),
    Column("tokens_valid_after", Float, nullable=False, default=0.0),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Column("srp_salt", String(64)),  # SRP salt and verifier v = g^x (hex): docs/passwords.md
    Column("srp_verifier", Text),
    Column("mfa", JSON),  # cognito.mfa.MfaSettings: enabled methods, preference, TOTP secret
    Column("totp_last_step", Integer),  # the last TOTP time step accepted: a code works once
    UniqueConstraint("pool_id", "username_key", name="uq_users_username_key"),
    Index("ix_users_email_key", "pool_id", "email_key"),
    Index("ix_users_phone_key", "pool_id", "phone_key"),
    Index("ix_users_preferred_key", "pool_id", "preferred_key"),
)

user_aliases = Table(
    "user_aliases", metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("value_key", String(2048), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("username", String(128), nullable=False),
    ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
    Index("ix_user_aliases_user", "pool_id", "username"),
)
"""The identifiers a pool makes unique besides the username (cognito/identifiers.py): an e-mail address or phone
number in pools that sign in by them, a verified e-mail or phone or a preferred_username in pools with aliases.
One row per claim; the primary key makes a second claim of one value fail in the database (migration 0005)."""

groups = Table(
    "groups", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("description", String(2048)),
    Column("role_arn", String(2048)),
    Column("precedence", Integer),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

user_groups = Table(
    "user_groups", metadata,
    Column("pool_id", String(55), primary_key=True),
    Column("username", String(128), primary_key=True),
    Column("group_name", String(128), primary_key=True),
    ForeignKeyConstraint(["pool_id", "username"], ["users.pool_id", "users.username"], ondelete="CASCADE"),
    ForeignKeyConstraint(["pool_id", "group_name"], ["groups.pool_id", "groups.name"], ondelete="CASCADE"),
    Index("ix_user_groups_group", "pool_id", "group_name"),
)

signing_keys = Table(
    "signing_keys", metadata,
    Column("kid", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_use", String(8), nullable=False),
    Column("private_pem", Text, nullable=False),
    Column("public_jwk", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("retired", Float),
)

refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("username", String(128), nullable=False),
    Column("origin_jti", String(36), nullable=False, unique=True),
    Column("auth_time", Float, nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("revoked", Float),
    Index("ix_refresh_tokens_user", "pool_id", "username"),
)

revoked_origins = Table(
    "revoked_origins", metadata,
    Column("origin_jti", String(36), primary_key=True),
    Column("pool_id", String(55), nullable=False),
    Column("revoked", Float, nullable=False),
    Column("expires", Float, nullable=False),
)

codes = Table(
    "codes", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("username", String(128), primary_key=True),
    Column("purpose", String(32), primary_key=True),
    Column("code", String(16), nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pool_id", String(55), nullable=False, index=True),
    Column("username", String(128), nullable=False),
    Column("medium", String(8), nullable=False),
    Column("destination", String(256), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("code", String(64)),
    Column("message", Text, nullable=False),
    Column("created", Float, nullable=False),
)

auth_sessions = Table(
    "auth_sessions", metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("pool_id", String(55), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("username", String(128), nullable=False),
    Column("challenge", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("expires", Float, nullable=False),
)

ALL_TABLES = [outbox, codes, auth_sessions, revoked_origins, refresh_tokens, signing_keys, user_groups,
              groups, user_aliases, users, user_pool_clients, user_pools]
"""Every table, children first: the order in which a reset empties them."""

# --- hosted UI / OAuth 2.0 (migration 0002) ---

user_pool_domains = Table(
    "user_pool_domains", metadata,
    Column("domain", String(63), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("account", String(12), nullable=False),
    Column("config", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

resource_servers = Table(
    "resource_servers", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("identifier", String(256), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created", Float, nullable=False),
)

ui_customizations = Table(
    "ui_customizations", metadata,
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("client_id", String(128), primary_key=True),
    Column("css", Text),
    Column("image", LargeBinary),
    Column("image_type", String(32)),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

oauth_codes = Table(
    "oauth_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("username", String(128), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("nonce", Text),
    Column("code_challenge", String(128)),
    Column("code_challenge_method", String(8)),
    Column("auth_time", Float, nullable=False),
    Column("expires", Float, nullable=False),
)

oauth_grants = Table(
    "oauth_grants", metadata,
    Column("origin_jti", String(36), primary_key=True),
    Column("pool_id", String(55), ForeignKey("user_pools.id", ondelete="CASCADE"), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("expires", Float, nullable=False),
)
"""The OAuth scopes a hosted-UI refresh token (by its ``origin_jti``) was granted."""

server_secrets = Table(
    "server_secrets", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created", Float, nullable=False),
)
"""Per-server secrets (the hosted UI's cookie HMAC key), created on first use."""

ALL_TABLES[:0] = [oauth_grants, oauth_codes, ui_customizations, resource_servers, user_pool_domains,
                  server_secrets]

# --- apigateway REST APIs made through the API (migration 0006) ---

apigw_rest_apis = Table(
    "apigw_rest_apis", metadata,
    Column("id", String(64), primary_key=True),
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("root_id", String(16), nullable=False),
    Column("config", JSON, nullable=False),
    Column("source", Text),
    Column("source_hash", String(64)),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    Index("ix_apigw_rest_apis_owner", "account", "region"),
)
"""A REST API's working copy, by owner; ``source`` names the poolgate.yaml that declares it (None: made
through the API), ``source_hash`` the declaration last applied."""

apigw_resources = Table(
    "apigw_resources", metadata,
    Column("api_id", String(64), ForeignKey("apigw_rest_apis.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(16), primary_key=True),
    Column("parent_id", String(16)),
    Column("path_part", String(255)),
    Column("path", Text, nullable=False),
    Column("variable_parent", String(16)),
    ForeignKeyConstraint(["api_id", "parent_id"], ["apigw_resources.api_id", "apigw_resources.id"],
                         ondelete="CASCADE"),
    UniqueConstraint("api_id", "parent_id", "path_part", name="uq_apigw_resources_sibling"),
    UniqueConstraint("api_id", "variable_parent", name="uq_apigw_resources_variable"),
)
"""``variable_parent`` is the parent's id when the path part is a variable (``{id}``, ``{proxy+}``): one per
parent, as API Gateway allows; deleting a resource deletes its subtree (and their methods)."""

apigw_methods = Table(
    "apigw_methods", metadata,
    Column("api_id", String(64), primary_key=True),
    Column("resource_id", String(16), primary_key=True),
    Column("http_method", String(8), primary_key=True),
    Column("config", JSON, nullable=False),
    Column("responses", JSON, nullable=False),
    ForeignKeyConstraint(["api_id", "resource_id"], ["apigw_resources.api_id", "apigw_resources.id"],
                         ondelete="CASCADE"),
)
"""A method (its Method shape without the integration) and its method responses by status code."""

apigw_integrations = Table(
    "apigw_integrations", metadata,
    Column("api_id", String(64), primary_key=True),
    Column("resource_id", String(16), primary_key=True),
    Column("http_method", String(8), primary_key=True),
    Column("config", JSON, nullable=False),
    Column("responses", JSON, nullable=False),
    ForeignKeyConstraint(["api_id", "resource_id", "http_method"],
                         ["apigw_methods.api_id", "apigw_methods.resource_id", "apigw_methods.http_method"],
                         ondelete="CASCADE"),
)

apigw_authorizers = Table(
    "apigw_authorizers", metadata,
    Column("api_id", String(64), ForeignKey("apigw_rest_apis.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(16), primary_key=True),
    Column("name", String(1024), nullable=False),
    Column("config", JSON, nullable=False),
)

apigw_deployments = Table(
    "apigw_deployments", metadata,
    Column("api_id", String(64), ForeignKey("apigw_rest_apis.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(16), primary_key=True),
    Column("description", Text),
    Column("snapshot", JSON, nullable=False),
    Column("created", Float, nullable=False),
)
"""Immutable: the working copy as ``apigw/snapshot.py`` freezes it."""

apigw_stages = Table(
    "apigw_stages", metadata,
    Column("api_id", String(64), ForeignKey("apigw_rest_apis.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("deployment_id", String(16), nullable=False),
    Column("config", JSON, nullable=False),
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    ForeignKeyConstraint(["api_id", "deployment_id"], ["apigw_deployments.api_id", "apigw_deployments.id"]),
)

apigw_changes = Table(
    "apigw_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)
"""One row: bumped by every write that changes what some stage serves; each process polls it (no read per
request). Not in ALL_TABLES: a reset bumps it instead of deleting it."""

ALL_TABLES[:0] = [apigw_stages, apigw_deployments, apigw_integrations, apigw_methods, apigw_authorizers,
                  apigw_resources, apigw_rest_apis]

# --- lambda functions made through the lambda API (migration 0007) ---

lambda_functions = Table(
    "lambda_functions", metadata,
    Column("account", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("config", JSON, nullable=False),
    Column("code_sha256", String(64), nullable=False),  # the code's folder under the data directory
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

ALL_TABLES[:0] = [lambda_functions]

# --- identity pools (cognito-identity; migration 0008) ---

identity_pools = Table(
    "identity_pools", metadata,
    Column("id", String(55), primary_key=True),  # "{region}:{uuid}"
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("config", JSON, nullable=False),  # the IdentityPool shape's fields, as DescribeIdentityPool answers
    Column("roles", JSON, nullable=False),  # {"Roles": {...}, "RoleMappings": {...}} (SetIdentityPoolRoles)
    Column("created", Float, nullable=False),
)

identity_pool_identities = Table(
    "identity_pool_identities", metadata,
    Column("id", String(55), primary_key=True),  # "{region}:{uuid}"
    Column("pool_id", String(55), ForeignKey("identity_pools.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("logins", JSON, nullable=False),  # the provider names linked to it
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
)

identity_logins = Table(
    "identity_logins", metadata,
    # One identity per (pool, provider, subject): GetId racing for one login finds one identity.
    Column("pool_id", String(55), ForeignKey("identity_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("provider", String(256), primary_key=True),
    Column("subject", String(256), primary_key=True),
    Column("identity_id", String(55), ForeignKey("identity_pool_identities.id", ondelete="CASCADE"),
           nullable=False, index=True),
)

identity_credentials = Table(
    "identity_credentials", metadata,
    # Temporary credentials handed out by GetCredentialsForIdentity and sts:AssumeRoleWithWebIdentity: the data
    # plane's AWS_IAM authorizer checks signatures with the secret (so it is kept), the session token by its SHA-256.
    Column("access_key_id", String(32), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("identity_id", String(55)),  # None for AssumeRoleWithWebIdentity with a user-pool token
    Column("pool_id", String(55)),
    Column("role_arn", String(2048), nullable=False),
    Column("session_name", String(64), nullable=False),  # of the assumed-role session
    Column("auth_type", String(16), nullable=False),  # authenticated | unauthenticated
    Column("provider", String(2048)),  # cognitoAuthenticationProvider, None for unauthenticated identities
    Column("expiration", Float, nullable=False, index=True),
)

ALL_TABLES[:0] = [identity_credentials, identity_logins, identity_pool_identities, identity_pools]

# --- IAM roles made through the IAM API (migration 0009) ---

iam_roles = Table(
    "iam_roles", metadata,
    Column("account", String(12), primary_key=True),
    Column("name_key", String(64), primary_key=True),  # the name lower-cased: IAM names are unique ignoring case
    Column("name", String(64), nullable=False),
    Column("path", String(512), nullable=False),
    Column("role_id", String(32), nullable=False),
    Column("trust", JSON, nullable=False),  # the AssumeRolePolicyDocument
    Column("description", String(1000)),
    Column("max_session", Integer, nullable=False),
    Column("created", Float, nullable=False),
)

iam_role_policies = Table(
    "iam_role_policies", metadata,
    Column("account", String(12), primary_key=True),
    Column("role_key", String(64), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("document", JSON, nullable=False),
    ForeignKeyConstraint(["account", "role_key"], ["iam_roles.account", "iam_roles.name_key"], ondelete="CASCADE"),
)

ALL_TABLES[:0] = [iam_role_policies, iam_roles]

# --- apigateway API keys, usage plans and usage plan keys made through the API (migration 0010) ---

apigw_api_keys = Table(
    "apigw_api_keys", metadata,
    Column("id", String(16), primary_key=True),
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("value", String(128), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("config", JSON, nullable=False),  # description, customerId, stageKeys, tags
    Column("created", Float, nullable=False),
    Column("modified", Float, nullable=False),
    UniqueConstraint("account", "region", "value", name="uq_apigw_api_keys_value"),
)

apigw_usage_plans = Table(
    "apigw_usage_plans", metadata,
    Column("id", String(16), primary_key=True),
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("config", JSON, nullable=False),  # description, apiStages, throttle, quota, productCode, tags
    Column("created", Float, nullable=False),
)

apigw_usage_plan_keys = Table(
    "apigw_usage_plan_keys", metadata,
    Column("plan_id", String(16), ForeignKey("apigw_usage_plans.id", ondelete="CASCADE"), primary_key=True),
    Column("key_id", String(16), ForeignKey("apigw_api_keys.id", ondelete="CASCADE"), primary_key=True),
)
"""A key in a plan: the primary key makes a second CreateUsagePlanKey of the same pair a ConflictException."""

ALL_TABLES[:0] = [apigw_usage_plan_keys, apigw_usage_plans, apigw_api_keys]

# --- apigateway custom domain names and base path mappings (migration 0011; stored, no network effect) ---

apigw_domain_names = Table(
    "apigw_domain_names", metadata,
    Column("account", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("config", JSON, nullable=False),
    Column("created", Float, nullable=False),
)

apigw_base_path_mappings = Table(
    "apigw_base_path_mappings", metadata,
    Column("account", String(12), primary_key=True),
    Column("region", String(32), primary_key=True),
    Column("domain", String(512), primary_key=True),
    Column("base_path", String(512), primary_key=True),  # "(none)" for the domain's root, as AWS names it
    Column("api_id", String(64), nullable=False),
    Column("stage", String(128)),
    ForeignKeyConstraint(["account", "region", "domain"], ["apigw_domain_names.account", "apigw_domain_names.region",
                                                           "apigw_domain_names.name"], ondelete="CASCADE"),
)

ALL_TABLES[:0] = [apigw_base_path_mappings, apigw_domain_names]

# --- apigateway VPC links and client certificates (migration 0012; stored, no network effect) ---

apigw_vpc_links = Table(
    "apigw_vpc_links", metadata,
    Column("id", String(16), primary_key=True),
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("config", JSON, nullable=False),  # name, description, targetArns, status, tags
    Column("created", Float, nullable=False),
)

apigw_client_certificates = Table(
    "apigw_client_certificates", metadata,
    Column("id", String(16), primary_key=True),
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("config", JSON, nullable=False),  # description, pemEncodedCertificate, expirationDate, tags
    Column("created", Float, nullable=False),
)

ALL_TABLES[:0] = [apigw_vpc_links, apigw_client_certificates]

# --- apigateway documentation parts and versions (migration 0013) ---

apigw_documentation_parts = Table(
    "apigw_documentation_parts", metadata,
    Column("api_id", String(64), ForeignKey("apigw_rest_apis.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(16), primary_key=True),
    Column("location_key", String(1024), nullable=False),  # the location as canonical JSON: one part per location
    Column("location", JSON, nullable=False),
    Column("properties", Text, nullable=False),  # the JSON string as given
    UniqueConstraint("api_id", "location_key", name="uq_apigw_documentation_parts_location"),
)

apigw_documentation_versions = Table(
    "apigw_documentation_versions", metadata,
    Column("api_id", String(64), ForeignKey("apigw_rest_apis.id", ondelete="CASCADE"), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("description", Text),
    Column("parts", JSON, nullable=False),  # the documentation parts when the version was made
    Column("created", Float, nullable=False),
)

ALL_TABLES[:0] = [apigw_documentation_versions, apigw_documentation_parts]
