"""AWS STS (query protocol, XML answers): GetCallerIdentity and AssumeRoleWithWebIdentity.

    plane.py        StsPlane: which requests are STS's, form parsing, validation against botocore's model, XML
    operations.py   the two operations
"""

from . import operations  # noqa: F401  (registers the operations)
from .plane import StsPlane

__all__ = ["StsPlane"]
