"""Cognito identity pools (``cognito-identity``, AWS JSON 1.1): identities for user-pool sign-ins and guests, and
the temporary AWS credentials of the role an identity maps to.

    service.py      IDENTITY (the JsonService), pool lookup, the errors AWS words
    pools.py        Create/Describe/Update/Delete/ListIdentityPools, Set/GetIdentityPoolRoles
    logins.py       the ``Logins`` map: user-pool ID tokens checked by cognito/jws.py with the pool's keys
    rolemap.py      which role an identity gets: default roles, rules- and token-based role mappings
    trust.py        whether the role's trust policy lets Cognito identities assume it
    identities.py   GetId, ListIdentities, DescribeIdentity, DeleteIdentities
    credentials.py  GetCredentialsForIdentity, and the lookup of those credentials for AWS_IAM methods
    openid.py       GetOpenIdToken and the JWKS that verifies its tokens
"""

from . import credentials, identities, openid, pools  # noqa: F401  (register the operations)
from .service import IDENTITY

__all__ = ["IDENTITY"]
