"""The sign-in engine in-process (``cognito/signin/engine.py``), with a fake clock: a table of Step transitions for
every flow poolgate supports, and the lock-out, session expiry and temporary-password expiry that only a clock one
can move tests without sleeping. The wire tests (tests/cognito_auth) cover the same flows through boto3 and real
clients; these show the engine's own contract: ``start``/``answer`` return ``Issued`` or ``Challenge`` and refuse
with a ``SignInError`` whose ``reason`` the hosted UI words."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pyotp
import pytest
from pycognito import aws_srp

from poolgate.app import build_services
from poolgate.awsproto.dispatch import Caller
from poolgate.clock import FakeClock
from poolgate.cognito import ops  # noqa: F401  (registers the operations)
from poolgate.cognito.domain import Client, Pool
from poolgate.cognito.sender import Delivery
from poolgate.cognito.service import COGNITO
from poolgate.cognito.signin import state
from poolgate.cognito.signin.engine import Engine
from poolgate.cognito.signin.errors import Reason, SignInError
from poolgate.cognito.signin.steps import Challenge, Issued, Step
from poolgate.cognito.signin.totp import associate_token, verify_token
from poolgate.errors import ServiceError
from poolgate.services import Services
from poolgate.settings import Settings

PASSWORD = "Correct-horse-9"
CALLER = Caller(region="us-east-1", account="123456789012", signed=True, access_key="AKIDTEST", source_ip="127.0.0.1",
                request_id="r")
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]


class RecordingSender:
    """Keeps the codes the engine sends (SMS_MFA, EMAIL_OTP)."""

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(self, conn: Any, delivery: Delivery, now: float) -> None:
        self.sent.append(delivery)


@dataclass
class Bench:
    services: Services
    clock: FakeClock
    sender: RecordingSender
    pool: Pool = field(init=False)
    client: Client = field(init=False)

    @property
    def engine(self) -> Engine:
        return Engine(self.services)

    async def call(self, name: str, **params: Any) -> dict[str, Any]:
        return await COGNITO.operations[name].handler(self.services, CALLER, params)

    async def setup(self, client_config: dict[str, Any] | None = None, **pool_config: Any) -> None:
        created = await self.call("CreateUserPool", PoolName="engine", **pool_config)
        pool_id = created["UserPool"]["Id"]
        client = await self.call("CreateUserPoolClient", UserPoolId=pool_id, ClientName="app",
                                 **{"ExplicitAuthFlows": FLOWS, **(client_config or {})})
        self.pool, self.client = await self.services.records.client_and_pool(client["UserPoolClient"]["ClientId"])

    async def user(self, name: str = "lee", permanent: bool = True, **attributes: str) -> None:
        await self.call("AdminCreateUser", UserPoolId=self.pool.id, Username=name, MessageAction="SUPPRESS",
                        TemporaryPassword=PASSWORD, UserAttributes=[{"Name": k, "Value": v}
                                                                    for k, v in attributes.items()])
        if permanent:
            await self.call("AdminSetUserPassword", UserPoolId=self.pool.id, Username=name, Password=PASSWORD,
                            Permanent=True)

    async def start(self, flow: str, admin: bool = False, **auth: str) -> Step:
        return await self.engine.start(flow, self.pool, self.client, auth, None, admin=admin)

    async def answer(self, step: Step, **responses: str) -> Step:
        assert isinstance(step, Challenge)
        return await self.engine.answer(self.pool, self.client, step.name, step.session or "", responses)

    def code(self) -> str:
        return self.sender.sent[-1].code

    async def refused(self, step: Awaitable[Step]) -> Reason:
        with pytest.raises(SignInError) as caught:
            await step
        return caught.value.reason


def run(scenario: Callable[[Bench], Awaitable[None]]) -> None:
    async def main() -> None:
        clock = FakeClock(round(time.time(), 3))  # SRP clients stamp their proof with the real time
        with tempfile.TemporaryDirectory() as folder:
            services = build_services(Settings(database_url=f"sqlite+aiosqlite:///{folder}/engine.db",
                                               password_hash_time_cost=1, password_hash_memory_kib=1024), clock=clock)
            sender = RecordingSender()
            services.sender = sender
            try:
                await services.db.migrate()
                await scenario(Bench(services, clock, sender))
            finally:
                await services.db.close()

    asyncio.run(main())


def _issued(step: Step, *, refresh: bool = True) -> None:
    assert isinstance(step, Issued), step
    assert step.tokens.access_token.count(".") == 2 and step.tokens.id_token.count(".") == 2
    assert (step.tokens.refresh_token is not None) == refresh


def _challenge(step: Step, name: str) -> Challenge:
    assert isinstance(step, Challenge) and step.name == name, step
    return step


# --- the table: one scenario per flow, each a chain of Step transitions ---

async def user_password(b: Bench) -> None:
    await b.setup()
    await b.user()
    _issued(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD))


async def admin_user_password(b: Bench) -> None:
    await b.setup()
    await b.user()
    _issued(await b.start("ADMIN_USER_PASSWORD_AUTH", admin=True, USERNAME="lee", PASSWORD=PASSWORD))
    with pytest.raises(ServiceError) as caught:  # InitiateAuth has no ADMIN_ flows
        await b.start("ADMIN_USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)
    assert (caught.value.code, caught.value.message) == ("InvalidParameterException",
                                                         "Initiate Auth method not supported.")


async def refresh_token(b: Bench) -> None:
    await b.setup()
    await b.user()
    first = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)
    assert isinstance(first, Issued) and first.tokens.refresh_token
    _issued(await b.start("REFRESH_TOKEN_AUTH", REFRESH_TOKEN=first.tokens.refresh_token), refresh=False)


async def user_srp(b: Bench) -> None:
    await b.setup()
    await b.user()
    with mock.patch.object(aws_srp.AWSSRP, "generate_random_small_a", lambda self: 12345678901234567890):
        srp = aws_srp.AWSSRP("lee", PASSWORD, b.pool.id, b.client.client_id, client=mock.Mock())
        step = _challenge(await b.start("USER_SRP_AUTH", USERNAME="lee", SRP_A=srp.get_auth_params()["SRP_A"]),
                          "PASSWORD_VERIFIER")
        assert step.session is None  # answered by its SECRET_BLOCK
        proof = srp.process_challenge(step.parameters, {"USERNAME": "lee"})
    _issued(await b.answer(step, **proof))


async def custom_auth(b: Bench) -> None:
    async def triggers(name: str, event: dict[str, Any]) -> dict[str, Any]:
        request, response = event["request"], event["response"]
        if name == "define":
            history = request["session"]
            done = bool(history) and history[-1]["challengeResult"]
            response.update(issueTokens=done, failAuthentication=bool(history) and not done,
                            challengeName=None if history else "CUSTOM_CHALLENGE")
        elif name == "create":
            response.update(publicChallengeParameters={"hint": "colour"},
                            privateChallengeParameters={"answer": "blue"})
        else:
            response["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
        return event

    b.services.extras["lambda_invoker"] = triggers
    arn = "arn:aws:lambda:us-east-1:123456789012:function:"
    await b.setup(LambdaConfig={"DefineAuthChallenge": arn + "define", "CreateAuthChallenge": arn + "create",
                                "VerifyAuthChallengeResponse": arn + "verify"})
    await b.user()
    step = _challenge(await b.start("CUSTOM_AUTH", USERNAME="lee"), "CUSTOM_CHALLENGE")
    assert step.parameters == {"hint": "colour", "USERNAME": "lee"}
    _issued(await b.answer(step, USERNAME="lee", ANSWER="blue"))
    again = _challenge(await b.start("CUSTOM_AUTH", USERNAME="lee"), "CUSTOM_CHALLENGE")
    assert await b.refused(b.answer(again, USERNAME="lee", ANSWER="red")) is Reason.WRONG_CREDENTIALS


async def new_password_required(b: Bench) -> None:
    await b.setup()
    await b.user(permanent=False)
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD),
                      "NEW_PASSWORD_REQUIRED")
    assert step.parameters["USER_ID_FOR_SRP"] == "lee"
    _issued(await b.answer(step, USERNAME="lee", NEW_PASSWORD="Another-horse-7"))
    _issued(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD="Another-horse-7"))


async def sms_mfa(b: Bench) -> None:
    await b.setup(MfaConfiguration="ON", SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"})
    await b.user(phone_number="+14155550100")
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "SMS_MFA")
    assert step.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    wrong = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "SMS_MFA")
    assert await b.refused(b.answer(wrong, USERNAME="lee", SMS_MFA_CODE="000000x")) is Reason.CODE_MISMATCH
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "SMS_MFA")
    _issued(await b.answer(step, USERNAME="lee", SMS_MFA_CODE=b.code()))


async def email_otp(b: Bench) -> None:
    await b.setup(MfaConfiguration="OPTIONAL", EmailConfiguration={"EmailSendingAccount": "DEVELOPER",
                                                                  "SourceArn": "arn:aws:ses:us-east-1:123456789012:"
                                                                               "identity/example.com"},
                  UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    await b.call("SetUserPoolMfaConfig", UserPoolId=b.pool.id, MfaConfiguration="OPTIONAL",
                 EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"})
    b.pool = (await b.services.records.client_and_pool(b.client.client_id))[0]
    await b.user(email="lee@example.com")
    await b.call("AdminSetUserMFAPreference", UserPoolId=b.pool.id, Username="lee",
                 EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "EMAIL_OTP")
    assert step.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    _issued(await b.answer(step, USERNAME="lee", EMAIL_OTP_CODE=b.code()))


async def _totp_user(b: Bench) -> str:
    await b.user()
    async with b.services.db.read() as conn:
        from poolgate.cognito import repo
        user = await repo.get_user(conn, b.pool, "lee")
    secret = await associate_token(b.services, user)
    await verify_token(b.services, user, pyotp.TOTP(secret).at(b.clock.now()), None, enable=True)
    b.clock.advance(30)  # the step just used works once
    return secret


async def software_token_mfa(b: Bench) -> None:
    await b.setup(MfaConfiguration="OPTIONAL")
    await b.call("SetUserPoolMfaConfig", UserPoolId=b.pool.id, MfaConfiguration="OPTIONAL",
                 SoftwareTokenMfaConfiguration={"Enabled": True})
    b.pool = (await b.services.records.client_and_pool(b.client.client_id))[0]
    secret = await _totp_user(b)
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "SOFTWARE_TOKEN_MFA")
    code = pyotp.TOTP(secret).at(b.clock.now())
    _issued(await b.answer(step, USERNAME="lee", SOFTWARE_TOKEN_MFA_CODE=code))
    again = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "SOFTWARE_TOKEN_MFA")
    assert await b.refused(b.answer(again, USERNAME="lee", SOFTWARE_TOKEN_MFA_CODE=code)) is Reason.CODE_REUSED


async def select_mfa_type(b: Bench) -> None:
    await b.setup(MfaConfiguration="OPTIONAL", SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/s"})
    await b.call("SetUserPoolMfaConfig", UserPoolId=b.pool.id, MfaConfiguration="OPTIONAL",
                 SoftwareTokenMfaConfiguration={"Enabled": True},
                 SmsMfaConfiguration={"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/s"}})
    b.pool = (await b.services.records.client_and_pool(b.client.client_id))[0]
    await _totp_user(b)
    await b.call("AdminUpdateUserAttributes", UserPoolId=b.pool.id, Username="lee",
                 UserAttributes=[{"Name": "phone_number", "Value": "+14155550100"}])
    await b.call("AdminSetUserMFAPreference", UserPoolId=b.pool.id, Username="lee",
                 SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
                 SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False})
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "SELECT_MFA_TYPE")
    sms = _challenge(await b.answer(step, USERNAME="lee", ANSWER="SMS_MFA"), "SMS_MFA")
    _issued(await b.answer(sms, USERNAME="lee", SMS_MFA_CODE=b.code()))


async def mfa_setup(b: Bench) -> None:
    await b.setup(MfaConfiguration="ON")
    await b.call("SetUserPoolMfaConfig", UserPoolId=b.pool.id, MfaConfiguration="ON",
                 SoftwareTokenMfaConfiguration={"Enabled": True})
    b.pool = (await b.services.records.client_and_pool(b.client.client_id))[0]
    await b.user()
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "MFA_SETUP")
    with pytest.raises(ServiceError) as caught:  # no VerifySoftwareToken with this session yet
        await b.answer(step, USERNAME="lee")
    assert caught.value.code == "InvalidParameterException"
    assert await b.refused(b.answer(step, USERNAME="lee")) is Reason.SESSION_SPENT  # consumed all the same
    step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "MFA_SETUP")
    associated = await b.call("AssociateSoftwareToken", Session=step.session)
    verified = await b.call("VerifySoftwareToken", Session=associated["Session"],
                            UserCode=pyotp.TOTP(associated["SecretCode"]).at(b.clock.now()))
    _issued(await b.answer(Challenge("MFA_SETUP", {}, verified["Session"]), USERNAME="lee"))


async def _choice_pool(b: Bench, factors: list[str]) -> None:
    await b.setup({"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
                  Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}})


async def user_auth_select_password(b: Bench) -> None:
    await _choice_pool(b, ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
    await b.user(email="lee@example.com", email_verified="true")
    step = _challenge(await b.start("USER_AUTH", USERNAME="lee"), "SELECT_CHALLENGE")
    assert set(step.available) == {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}  # no passkeys yet
    _issued(await b.answer(step, USERNAME="lee", ANSWER="PASSWORD", PASSWORD=PASSWORD))
    # Amplify answers with ChallengeName PASSWORD on the SELECT_CHALLENGE session as well
    step = _challenge(await b.start("USER_AUTH", USERNAME="lee"), "SELECT_CHALLENGE")
    _issued(await b.answer(Challenge("PASSWORD", {}, step.session), USERNAME="lee", PASSWORD=PASSWORD))


async def user_auth_email_otp(b: Bench) -> None:
    await _choice_pool(b, ["PASSWORD", "EMAIL_OTP"])
    await b.user(email="lee@example.com", email_verified="true")
    step = _challenge(await b.start("USER_AUTH", USERNAME="lee", PREFERRED_CHALLENGE="EMAIL_OTP"), "EMAIL_OTP")
    assert (b.sender.sent[-1].medium, b.sender.sent[-1].destination) == ("EMAIL", "lee@example.com")
    assert await b.refused(b.answer(step, USERNAME="lee", EMAIL_OTP_CODE="nope")) is Reason.CODE_MISMATCH
    step = _challenge(await b.start("USER_AUTH", USERNAME="lee"), "SELECT_CHALLENGE")
    step = _challenge(await b.answer(step, USERNAME="lee", ANSWER="EMAIL_OTP"), "EMAIL_OTP")
    _issued(await b.answer(step, USERNAME="lee", EMAIL_OTP_CODE=b.code()))


async def user_auth_sms_otp(b: Bench) -> None:
    await _choice_pool(b, ["PASSWORD", "SMS_OTP"])
    await b.user(phone_number="+14155550100", phone_number_verified="true")
    step = _challenge(await b.start("USER_AUTH", USERNAME="lee", PREFERRED_CHALLENGE="SMS_OTP"), "SMS_OTP")
    assert step.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    _issued(await b.answer(step, USERNAME="lee", SMS_OTP_CODE=b.code()))


async def user_auth_password_srp(b: Bench) -> None:
    await _choice_pool(b, ["PASSWORD"])
    await b.user()
    step = _challenge(await b.start("USER_AUTH", USERNAME="lee"), "SELECT_CHALLENGE")
    with mock.patch.object(aws_srp.AWSSRP, "generate_random_small_a", lambda self: 12345678901234567890):
        srp = aws_srp.AWSSRP("lee", PASSWORD, b.pool.id, b.client.client_id, client=mock.Mock())
        step = _challenge(await b.answer(step, USERNAME="lee", ANSWER="PASSWORD_SRP",
                                         SRP_A=srp.get_auth_params()["SRP_A"]), "PASSWORD_VERIFIER")
        proof = srp.process_challenge(step.parameters, {"USERNAME": "lee"})
    _issued(await b.answer(step, **proof))


FLOW_TABLE = {
    "USER_PASSWORD_AUTH": user_password, "ADMIN_USER_PASSWORD_AUTH": admin_user_password,
    "REFRESH_TOKEN_AUTH": refresh_token, "USER_SRP_AUTH": user_srp, "CUSTOM_AUTH": custom_auth,
    "NEW_PASSWORD_REQUIRED": new_password_required, "SMS_MFA": sms_mfa, "EMAIL_OTP": email_otp,
    "SOFTWARE_TOKEN_MFA": software_token_mfa, "SELECT_MFA_TYPE": select_mfa_type, "MFA_SETUP": mfa_setup,
    "USER_AUTH/SELECT_CHALLENGE/PASSWORD": user_auth_select_password, "USER_AUTH/EMAIL_OTP": user_auth_email_otp,
    "USER_AUTH/SMS_OTP": user_auth_sms_otp, "USER_AUTH/PASSWORD_SRP": user_auth_password_srp,
}


@pytest.mark.parametrize("flow", FLOW_TABLE)
def test_step_transitions(flow: str) -> None:
    run(FLOW_TABLE[flow])


# --- what only a fake clock shows without waiting ---

def test_wrong_passwords_lock_the_user_out_until_the_clock_moves_on() -> None:
    async def scenario(b: Bench) -> None:
        await b.setup()
        await b.user()
        for _ in range(5):
            assert await b.refused(b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD="wrong")) \
                is Reason.WRONG_CREDENTIALS
        # the fifth failure locked for 2**0 s: even the right password is refused meanwhile
        assert await b.refused(b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)) is Reason.LOCKED
        b.clock.advance(1.5)
        _issued(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD))

    run(scenario)


def test_a_challenge_session_dies_after_auth_session_validity_and_works_once() -> None:
    async def scenario(b: Bench) -> None:
        await b.setup()
        await b.user(permanent=False)
        step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD),
                          "NEW_PASSWORD_REQUIRED")
        b.clock.advance(3 * 60)  # AuthSessionValidity defaults to 3 minutes
        assert await b.refused(b.answer(step, USERNAME="lee", NEW_PASSWORD="Another-horse-7")) \
            is Reason.SESSION_EXPIRED
        step = _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD),
                          "NEW_PASSWORD_REQUIRED")
        b.clock.advance(3 * 60 - 1)
        _issued(await b.answer(step, USERNAME="lee", NEW_PASSWORD="Another-horse-7"))
        assert await b.refused(b.answer(step, USERNAME="lee", NEW_PASSWORD="Third-horse-5")) is Reason.SESSION_SPENT

    run(scenario)


def test_a_temporary_password_expires_after_its_validity_days() -> None:
    async def scenario(b: Bench) -> None:
        await b.setup()
        await b.user(permanent=False)
        b.clock.advance(7 * 86400 - 1)
        _challenge(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD), "NEW_PASSWORD_REQUIRED")
        b.clock.advance(2)
        assert await b.refused(b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)) \
            is Reason.TEMPORARY_PASSWORD_EXPIRED

    run(scenario)


def test_user_migration_runs_for_an_unknown_name_and_the_migrated_user_signs_in() -> None:
    """InitiateAuth's password first factor (shared with the hosted UI's login): UserMigration vouches for a name
    nobody has, the user is created with the password given, and signs in; a name it refuses stays unknown."""
    async def scenario(b: Bench) -> None:
        seen: list[str] = []

        async def migrate(name: str, event: dict[str, Any]) -> dict[str, Any]:
            seen.append(event["userName"])
            if event["userName"] == "legacy" and event["request"]["password"] == PASSWORD:
                event["response"].update(userAttributes={"email": "legacy@example.com"},
                                         finalUserStatus="CONFIRMED", messageAction="SUPPRESS")
            else:
                raise RuntimeError("Bad password")
            return event

        b.services.extras["lambda_invoker"] = migrate
        await b.setup(LambdaConfig={"UserMigration": "arn:aws:lambda:us-east-1:123456789012:function:migrate"})
        _issued(await b.start("USER_PASSWORD_AUTH", USERNAME="legacy", PASSWORD=PASSWORD))
        _issued(await b.start("USER_PASSWORD_AUTH", USERNAME="legacy", PASSWORD=PASSWORD))
        assert seen == ["legacy"]  # migrated once; then a user like any other
        with pytest.raises(ServiceError) as caught:
            await b.start("USER_PASSWORD_AUTH", USERNAME="nobody", PASSWORD=PASSWORD)
        assert caught.value.code == "UserLambdaValidationException"

    run(scenario)


@pytest.mark.parametrize("saved", [
    state.NewPassword(), state.SelectMfa("TokenGeneration_NewPasswordChallenge"), state.MfaSetup(),
    state.MfaSetup("TokenGeneration_HostedAuth", verified=True), state.MfaCode(), state.MfaCode(code_hash="ab12"),
    state.Custom(({"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False, "challengeMetadata": None},),
                 {"answer": "blue"}, "m", unknown="nobody"),
    state.PasswordVerifier(0xABC, "a1", "f00", False, ({"challengeName": "SRP_A", "challengeResult": True,
                                                        "challengeMetadata": None},)),
    state.PasswordVerifier(0xABC, "a1", "f00", True, None, unknown="nobody"),
    state.SelectChallenge(("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP")), state.SelectChallenge(("PASSWORD",), "nobody"),
], ids=repr)
def test_challenge_state_survives_its_json(saved: state.State) -> None:
    names = {state.NewPassword: "NEW_PASSWORD_REQUIRED", state.SelectMfa: "SELECT_MFA_TYPE",
             state.MfaSetup: "MFA_SETUP", state.MfaCode: "SMS_MFA", state.Custom: "CUSTOM_CHALLENGE",
             state.PasswordVerifier: "PASSWORD_VERIFIER", state.SelectChallenge: "SELECT_CHALLENGE"}
    stored = json.loads(json.dumps(state.dump(saved)))
    assert state.load(names[type(saved)], stored) == saved


def test_a_name_that_matches_nobody_gets_a_simulated_srp_challenge_that_fails_at_the_proof() -> None:
    async def scenario(b: Bench) -> None:
        await b.setup({"PreventUserExistenceErrors": "ENABLED"})
        with mock.patch.object(aws_srp.AWSSRP, "generate_random_small_a", lambda self: 98765432109876543210):
            srp = aws_srp.AWSSRP("ghost", PASSWORD, b.pool.id, b.client.client_id, client=mock.Mock())
            step = _challenge(await b.start("USER_SRP_AUTH", USERNAME="ghost", SRP_A=srp.get_auth_params()["SRP_A"]),
                              "PASSWORD_VERIFIER")
            stand_in = step.parameters["USERNAME"]
            assert stand_in == step.parameters["USER_ID_FOR_SRP"] != "ghost"  # a stable UUID, as a user's sub
            proof = srp.process_challenge(step.parameters, {"USERNAME": stand_in})
        assert await b.refused(b.answer(step, **proof)) is Reason.WRONG_CREDENTIALS
        assert await b.refused(b.start("USER_PASSWORD_AUTH", USERNAME="ghost", PASSWORD=PASSWORD)) \
            is Reason.WRONG_CREDENTIALS

    run(scenario)


def test_a_one_time_code_sign_in_runs_pre_authentication_before_sending_the_code() -> None:
    """USER_AUTH with EMAIL_OTP: PreAuthentication (with InitiateAuth's ClientMetadata as validationData) runs when
    the factor begins; a refusal sends no code. PostAuthentication runs once the code is right."""
    async def scenario(b: Bench) -> None:
        seen: list[tuple[str, Any]] = []

        async def triggers(name: str, event: dict[str, Any]) -> dict[str, Any]:
            seen.append((event["triggerSource"], event["request"].get("validationData")))
            if name == "pre" and event["request"]["validationData"].get("deny"):
                raise RuntimeError("not today")
            return event

        b.services.extras["lambda_invoker"] = triggers
        arn = "arn:aws:lambda:us-east-1:123456789012:function:"
        await b.setup({"ExplicitAuthFlows": ["ALLOW_USER_AUTH"]}, LambdaConfig={"PreAuthentication": arn + "pre",
                                                                                "PostAuthentication": arn + "post"},
                      Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}})
        await b.user(email="lee@example.com", email_verified="true")
        with pytest.raises(ServiceError) as caught:
            await b.engine.start("USER_AUTH", b.pool, b.client, {"USERNAME": "lee", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
                                 {"deny": "yes"})
        assert caught.value.code == "UserLambdaValidationException"
        assert b.sender.sent == []
        step = _challenge(await b.engine.start("USER_AUTH", b.pool, b.client,
                                               {"USERNAME": "lee", "PREFERRED_CHALLENGE": "EMAIL_OTP"}, {"app": "x"}),
                          "EMAIL_OTP")
        assert seen[-1] == ("PreAuthentication_Authentication", {"app": "x"})
        _issued(await b.answer(step, USERNAME="lee", EMAIL_OTP_CODE=b.code()))
        assert seen[-1][0] == "PostAuthentication_Authentication"

    run(scenario)
