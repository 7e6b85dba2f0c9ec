"""Unmodified SDKs sign in with SRP: pycognito (boto3 underneath) and amazon-cognito-identity-js (node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from botocore.config import Config
from pycognito import Cognito

from ..conftest import cognito_client
from ..support import IN_CI
from .conftest import PASSWORD, LiveServer, make_pool, make_user

JS_DIR = Path(__file__).parents[1] / "js"


def _pycognito(url: str, pool: str, client: str, username: str, secret: str | None = None) -> Cognito:
    return Cognito(pool, client, username=username, client_secret=secret,
                   botocore_config=Config(retries={"max_attempts": 0}),
                   boto3_client_kwargs={"endpoint_url": url, "aws_access_key_id": "AKIDTEST",
                                        "aws_secret_access_key": "secret"})


def _verify(url: str, pool: str, client: str, id_token: str) -> dict[str, Any]:
    """Check a token against the pool's JWKS as any relying party would."""
    jwks = requests.get(f"{url}/{pool}/.well-known/jwks.json", timeout=5).json()
    kid = jwt.get_unverified_header(id_token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=client, issuer=f"{url}/{pool}")


def test_pycognito_signs_in_with_srp_on_each_backend(server: Any) -> None:
    idp = cognito_client(server.url)
    pool, client, _ = make_pool(idp, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool, "alice", attributes={"email": "alice@example.com"})
    user = _pycognito(server.url, pool, client, "alice")
    user.authenticate(password=PASSWORD)
    user.verify_tokens()  # pycognito's own check against our JWKS and issuer
    assert _verify(server.url, pool, client, user.id_token)["cognito:username"] == "alice"
    assert idp.get_user(AccessToken=user.access_token)["Username"] == "alice"


def test_pycognito_with_client_secret_and_email_username(live: LiveServer, idp: Any) -> None:
    pool, client, secret = make_pool(idp, secret=True, UsernameAttributes=["email"])
    make_user(idp, pool, "bob@example.com")
    user = _pycognito(live.url, pool, client, "bob@example.com", secret)
    user.authenticate(password=PASSWORD)
    claims = _verify(live.url, pool, client, user.id_token)
    assert claims["email"] == "bob@example.com"
    assert claims["cognito:username"] != "bob@example.com"  # USER_ID_FOR_SRP is the internal name (the sub)


def test_pycognito_wrong_password_is_refused_and_counts(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp)
    make_user(idp, pool, "carol")
    with pytest.raises(idp.exceptions.NotAuthorizedException, match=r"Incorrect username or password\."):
        _pycognito(live.url, pool, client, "carol").authenticate(password="Wrong-Horse-9!")
    # The old password still works after a failure, and the failure was counted then cleared.
    _pycognito(live.url, pool, client, "carol").authenticate(password=PASSWORD)


def test_pycognito_new_password_required(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp)
    idp.admin_create_user(UserPoolId=pool, Username="dave", TemporaryPassword="Temp-Passw0rd!",
                          MessageAction="SUPPRESS")
    user = _pycognito(live.url, pool, client, "dave")
    user.new_password_challenge("Temp-Passw0rd!", "Brand-New-Passw0rd!")
    assert _verify(live.url, pool, client, user.id_token)["cognito:username"] == "dave"
    _pycognito(live.url, pool, client, "dave").authenticate(password="Brand-New-Passw0rd!")


def test_srp_password_set_each_way_works(live: LiveServer, idp: Any) -> None:
    """Every place that sets a password stores an SRP verifier: sign-up, change, reset."""
    pool, client, _ = make_pool(idp, AutoVerifiedAttributes=["email"])
    idp.sign_up(ClientId=client, Username="erin", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])
    code = live.outbox("erin")[-1]["code"]
    idp.confirm_sign_up(ClientId=client, Username="erin", ConfirmationCode=code)
    user = _pycognito(live.url, pool, client, "erin")
    user.authenticate(password=PASSWORD)
    idp.change_password(AccessToken=user.access_token, PreviousPassword=PASSWORD,
                        ProposedPassword="Changed-Passw0rd!")
    _pycognito(live.url, pool, client, "erin").authenticate(password="Changed-Passw0rd!")
    idp.forgot_password(ClientId=client, Username="erin")
    idp.confirm_forgot_password(ClientId=client, Username="erin", ConfirmationCode=live.outbox("erin")[-1]["code"],
                                Password="Reset-Passw0rd!")
    _pycognito(live.url, pool, client, "erin").authenticate(password="Reset-Passw0rd!")


def test_srp_unknown_user_and_disabled_client_flow(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp)
    with pytest.raises(idp.exceptions.UserNotFoundException, match=r"User does not exist\."):
        _pycognito(live.url, pool, client, "nobody").authenticate(password=PASSWORD)
    _, password_only, _ = make_pool(idp, flows=["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(idp.exceptions.InvalidParameterException, match="Auth flow not enabled for this client"):
        idp.initiate_auth(ClientId=password_only, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": "x", "SRP_A": "abcd"})


def test_srp_prevent_user_existence_errors_fails_late(live: LiveServer, idp: Any) -> None:
    pool, client, _ = make_pool(idp)
    idp.update_user_pool_client(UserPoolId=pool, ClientId=client, PreventUserExistenceErrors="ENABLED",
                                ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(idp.exceptions.NotAuthorizedException, match=r"Incorrect username or password\."):
        _pycognito(live.url, pool, client, "ghost").authenticate(password=PASSWORD)


def test_password_verifier_is_single_use_and_checks_a(live: LiveServer, idp: Any) -> None:
    from pycognito.aws_srp import AWSSRP

    pool, client, _ = make_pool(idp)
    make_user(idp, pool, "frank")
    srp_client = AWSSRP("frank", PASSWORD, pool, client, client=idp)
    params = srp_client.get_auth_params()
    challenge = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(challenge["ChallengeParameters"]) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    answer = srp_client.process_challenge(challenge["ChallengeParameters"], params)
    ok = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                       ChallengeResponses=answer)
    assert "AccessToken" in ok["AuthenticationResult"]
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="session can only be used once"):
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": "frank", "SRP_A": "0"})


def test_password_verifier_timestamp_must_be_fresh(live: LiveServer, idp: Any) -> None:
    from pycognito.aws_srp import AWSSRP

    pool, client, _ = make_pool(idp)
    make_user(idp, pool, "gina")
    srp_client = AWSSRP("gina", PASSWORD, pool, client, client=idp)
    params = srp_client.get_auth_params()
    challenge = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    live.clock.advance(1000)  # the server's clock is now well past the client's TIMESTAMP
    try:
        answer = srp_client.process_challenge(challenge["ChallengeParameters"], params)
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)
    finally:
        live.clock.advance(-1000)


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "amazon-cognito-identity-js").exists():
        if IN_CI:
            pytest.fail("node and tests/js/node_modules are required with CI=true")
        pytest.skip("node or amazon-cognito-identity-js (npm install in tests/js) not available")
    return node


@pytest.mark.node
def test_amazon_cognito_identity_js_signs_in_with_srp(live: LiveServer, idp: Any) -> None:
    node = _node()
    pool, client, _ = make_pool(idp, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool, "hana", attributes={"email": "hana@example.com"})
    run = subprocess.run([node, str(JS_DIR / "srp.mjs")], cwd=JS_DIR, capture_output=True, text=True, timeout=60,
                         input=json.dumps({"endpoint": live.url + "/", "userPoolId": pool, "clientId": client,
                                           "username": "hana", "password": PASSWORD}))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert _verify(live.url, pool, client, result["idToken"])["email"] == "hana@example.com"
    assert idp.get_user(AccessToken=result["accessToken"])["Username"] == "hana"
    bad = subprocess.run([node, str(JS_DIR / "srp.mjs")], cwd=JS_DIR, capture_output=True, text=True, timeout=60,
                         input=json.dumps({"endpoint": live.url + "/", "userPoolId": pool, "clientId": client,
                                           "username": "hana", "password": "Wrong-Horse-9!"}))
    assert bad.returncode == 1
    assert json.loads(bad.stdout) == {"error": "NotAuthorizedException", "message": "Incorrect username or password."}


def test_user_stored_without_a_verifier_gets_one_at_the_next_password_sign_in(live: LiveServer, idp: Any) -> None:
    """A user stored before SRP support (no verifier) cannot use SRP until a password sign-in derives it."""
    import sqlite3

    pool, client, _ = make_pool(idp)
    make_user(idp, pool, "olga")
    with sqlite3.connect(live.data_dir / "poolgate.db") as db:
        db.execute("UPDATE users SET srp_salt = NULL, srp_verifier = NULL WHERE pool_id = ? AND username = ?",
                   (pool, "olga"))
    with pytest.raises(Exception, match="Incorrect username or password"):
        _pycognito(live.url, pool, client, "olga").authenticate(password=PASSWORD)
    idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "olga", "PASSWORD": PASSWORD})
    user = _pycognito(live.url, pool, client, "olga")
    user.authenticate(password=PASSWORD)
    assert _verify(live.url, pool, client, user.id_token)["cognito:username"] == "olga"
