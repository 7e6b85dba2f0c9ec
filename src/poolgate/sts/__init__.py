"""AWS STS (query protocol, XML answers: awsproto/query.py): GetCallerIdentity and AssumeRoleWithWebIdentity
(operations.py)."""

from .operations import STS

__all__ = ["STS"]
