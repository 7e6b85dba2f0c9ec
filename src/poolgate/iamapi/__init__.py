"""The IAM API (query protocol: awsproto/query.py): roles and their inline policies (roles.py), customer managed
policies and their attachments to roles and users (policies.py), users, their inline policies and access keys
(users.py); ``find_role`` and ``find_key`` (store.py): a role by ARN, declared under ``iam: roles:`` in
poolgate.yaml or made through the API, and the user an API-made access key belongs to, for identity pools, STS and
the AWS_IAM authorizer."""

from . import policies, users  # noqa: F401  (register their operations on IAM)
from .roles import IAM
from .store import find_key, find_role

__all__ = ["IAM", "find_key", "find_role"]
