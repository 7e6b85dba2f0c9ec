"""Whether an identity pool may hand out credentials for a role, as STS decides AssumeRoleWithWebIdentity for
Cognito: the role is declared under ``iam: roles:`` and its ``trustPolicy`` allows ``sts:AssumeRoleWithWebIdentity``
to the federated principal ``cognito-identity.amazonaws.com``, with the context keys Cognito's trust policies test
(Cognito DG "IAM roles", "Role trust and permissions"): ``cognito-identity.amazonaws.com:aud`` (the identity pool
id), ``…:amr`` (``authenticated`` and the login's provider names, or ``unauthenticated``) and ``…:sub`` (the
identity id). A role that is not declared, has no trust policy or whose trust policy does not allow is answered
as AWS answers a role it cannot assume: InvalidIdentityPoolConfigurationException (rolemap.NO_ROLE).
"""

from __future__ import annotations

from ..iam import Caller, IamDirectory, Request, evaluate
from ..iam.matching import ContextValue
from .logins import Login
from .rolemap import no_role
from .service import Services

PROVIDER = "cognito-identity.amazonaws.com"
ASSUME = "sts:AssumeRoleWithWebIdentity"
_FEDERATED = Caller(arn=PROVIDER, account="", type="WebIdentity")


def check_trust(services: Services, role_arn: str, pool_id: str, identity_id: str, login: Login | None) -> None:
    directory: IamDirectory = services.extras.get("iam") or IamDirectory()
    role = next((r for r in directory.roles if r.arn == role_arn), None)
    if role is None or role.trust is None:
        raise no_role()
    amr = (["authenticated", login.provider, f"{login.provider}:CognitoSignIn:{login.subject}"] if login
           else ["unauthenticated"])
    context: dict[str, ContextValue] = {f"{PROVIDER}:aud": pool_id, f"{PROVIDER}:amr": amr,
                                        f"{PROVIDER}:sub": identity_id}
    if not evaluate([role.trust], Request(ASSUME, role_arn, _FEDERATED, context)).allowed:
        raise no_role()
