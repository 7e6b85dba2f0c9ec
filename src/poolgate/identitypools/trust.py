"""Whether an identity pool may hand out credentials for a role, as STS decides AssumeRoleWithWebIdentity for
Cognito: the role is declared under ``iam: roles:`` (or made through the IAM API) and its ``trustPolicy`` allows
``sts:AssumeRoleWithWebIdentity`` to the federated principal ``cognito-identity.amazonaws.com``, with the context
keys Cognito's trust policies test (Cognito DG "IAM roles", "Role trust and permissions"):
``cognito-identity.amazonaws.com:aud`` (the identity pool id), ``…:amr`` (``authenticated`` and the login's
provider names, or ``unauthenticated``) and ``…:sub`` (the identity id). A role that does not exist, has no trust
policy or whose trust policy does not allow is answered as AWS answers a role it cannot assume:
InvalidIdentityPoolConfigurationException (rolemap.NO_ROLE).
"""

from __future__ import annotations

from ..iam import Caller, Request, evaluate
from ..iam.matching import ContextValue
from ..iamapi.store import find_role
from .logins import Login
from .rolemap import no_role
from .service import Services

PROVIDER = "cognito-identity.amazonaws.com"
ASSUME = "sts:AssumeRoleWithWebIdentity"


async def trusts(services: Services, role_arn: str, federated: str, context: dict[str, ContextValue]) -> bool:
    """Whether the role ``role_arn`` (declared or made through the IAM API) has a trust policy that lets the web
    identity of ``federated`` (its ``Principal: {Federated: …}`` name) assume it, with the keys in ``context``."""
    role = await find_role(services, role_arn)
    if role is None or role.trust is None:
        return False
    caller = Caller(arn=federated, account="", type="WebIdentity")
    return evaluate([role.trust], Request(ASSUME, role_arn, caller, context)).allowed


def cognito_context(pool_id: str, identity_id: str, amr: list[str]) -> dict[str, ContextValue]:
    return {f"{PROVIDER}:aud": pool_id, f"{PROVIDER}:amr": amr, f"{PROVIDER}:sub": identity_id}


def amr_of(login: Login | None) -> list[str]:
    if login is None:
        return ["unauthenticated"]
    return ["authenticated", login.provider, f"{login.provider}:CognitoSignIn:{login.subject}"]


async def check_trust(services: Services, role_arn: str, pool_id: str, identity_id: str, login: Login | None
                      ) -> None:
    if not await trusts(services, role_arn, PROVIDER, cognito_context(pool_id, identity_id, amr_of(login))):
        raise no_role()
