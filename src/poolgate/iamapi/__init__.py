"""The IAM API's role calls (query protocol: awsproto/query.py): CreateRole, GetRole, DeleteRole, PutRolePolicy,
GetRolePolicy, DeleteRolePolicy, ListRolePolicies (roles.py), and ``find_role`` (store.py): a role by ARN, declared
under ``iam: roles:`` in poolgate.yaml or made through the API, for identity pools, STS and the AWS_IAM authorizer."""

from .roles import IAM
from .store import find_role

__all__ = ["IAM", "find_role"]
