"""Usernames, and the e-mail addresses and phone numbers a pool makes unique, are unique because the database says
so (issue 11, items 1, 2 and 15): calls racing for one name, fired at once from many threads against one server
or against two servers on one PostgreSQL database, leave exactly one account, and every loser hears Cognito's
error (UsernameExistsException or AliasExistsException), never a 500.

What Cognito makes unique (Cognito Developer Guide, "User pool attributes", sections "Aliases" and "Option 2"):
- the username, case-insensitively when ``UsernameConfiguration.CaseSensitive`` is false;
- in pools that sign in by e-mail or phone (``UsernameAttributes``), the e-mail/phone: "must be unique, and it must
  not already be in use by another user. It does not have to be verified.";
- in pools with ``AliasAttributes``, an e-mail/phone "can be in a verified state in only one account": sign-up
  succeeds, confirming it is ``AliasExistsException`` unless ``ForceAliasCreation`` moves the alias (and marks it
  unverified in the previous account).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..conftest import _require_postgres, cognito_client
from ..support import Server, temporary_postgres_database, two_servers
from .helpers import PASSWORD, AwsError, code_from_log, error_of, new_client, new_pool, sign_in, unique

EMAIL_TAKEN = "An account with the given email already exists."
PHONE_TAKEN = "An account with the given phone_number already exists."  # UNCONFIRMED: e-mail's text, by analogy
BATCH = 100
"""Calls fired at once: one thread each, released together by a barrier."""


@dataclass(frozen=True)
class Outcome:
    """One call's result: ``ok``, or the AWS error code with its message and HTTP status."""

    code: str
    message: str = ""
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.code == "ok"


def _call(call: Callable[[], Any]) -> Outcome:
    try:
        call()
    except ClientError as exc:
        err = exc.response["Error"]
        return Outcome(err["Code"], err.get("Message", ""), exc.response["ResponseMetadata"]["HTTPStatusCode"])
    return Outcome("ok")


def _at_once(batch: list[Callable[[], Any]]) -> list[Outcome]:
    barrier = threading.Barrier(len(batch))

    def run(call: Callable[[], Any]) -> Outcome:
        barrier.wait(timeout=60)
        return _call(call)

    with ThreadPoolExecutor(len(batch)) as pool:
        return list(pool.map(run, batch))


def race(calls: list[Callable[[], Any]]) -> list[Outcome]:
    """Run ``calls`` truly at once, ``BATCH`` at a time (each on its own thread, released by one barrier); the
    outcomes in the order of ``calls``."""
    return [outcome for start in range(0, len(calls), BATCH) for outcome in _at_once(calls[start:start + BATCH])]


def _close_after(request: Any, **_: Any) -> None:
    request.headers["Connection"] = "close"


def client_for(server: Server) -> Any:
    """A client whose every call has a connection of its own: no call reuses one the server is just closing as idle
    (keep-alive timeout) while a batch waited, which would fail the call for a reason this test is not about."""
    idp = cognito_client(server.url, max_pool_connections=BATCH)
    idp.meta.events.register("request-created.cognito-idp.*", _close_after)
    return idp


def all_users(idp: Any, pool_id: str) -> list[dict[str, Any]]:
    pages = idp.get_paginator("list_users").paginate(UserPoolId=pool_id)
    return [user for page in pages for user in page["Users"]]


def users_with_email(idp: Any, pool_id: str, email: str) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = idp.list_users(UserPoolId=pool_id, Filter=f'email = "{email}"')["Users"]
    return users


def assert_one_winner_each(outcomes: list[Outcome], per_name: int, code: str, message: str) -> None:
    """``outcomes`` come in groups of ``per_name`` calls for one name: one success per group, the rest ``code``."""
    assert not [o for o in outcomes if o.status >= 500], Counter(o.code for o in outcomes if o.status >= 500)
    for i in range(0, len(outcomes), per_name):
        group = outcomes[i:i + per_name]
        assert sum(o.ok for o in group) == 1, group
        assert all(o == Outcome(code, message, 400) for o in group if not o.ok), group


@pytest.fixture(scope="module")
def two_nodes() -> Iterator[tuple[Server, Server]]:
    """Two server processes on one fresh PostgreSQL database."""
    _require_postgres()
    with temporary_postgres_database() as url, two_servers("--no-demo", database_url=url) as both:
        yield both


def _email_pool(idp: Any, **params: Any) -> tuple[str, str]:
    pool_id = new_pool(idp, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"], **params)
    return pool_id, str(new_client(idp, pool_id)["ClientId"])


def _sign_up(idp: Any, client_id: str, username: str, **attributes: str) -> Callable[[], Any]:
    attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
    return lambda: idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=attrs)


# --- item 1: one account per e-mail in a pool that signs in by e-mail ---

def _email_sign_up_race(clients: list[Any], pool_id: str, client_id: str) -> None:
    addresses = [f"{unique('racer')}@example.com" for _ in range(50)]
    calls = [_sign_up(clients[i % len(clients)], client_id, address) for address in addresses for i in range(2)]
    outcomes = race(calls)
    counts = {address: len(users_with_email(clients[0], pool_id, address)) for address in addresses}
    assert [a for a, n in counts.items() if n != 1] == [], counts
    assert_one_winner_each(outcomes, 2, "UsernameExistsException", EMAIL_TAKEN)


def test_concurrent_sign_ups_with_one_email_make_one_account(server: Server) -> None:
    idp = client_for(server)
    pool_id, client_id = _email_pool(idp)
    _email_sign_up_race([idp], pool_id, client_id)


def test_two_servers_on_one_database_make_one_account_per_email(two_nodes: tuple[Server, Server]) -> None:
    clients = [client_for(node) for node in two_nodes]
    pool_id, client_id = _email_pool(clients[0])
    _email_sign_up_race(clients, pool_id, client_id)


def test_the_email_stays_taken_by_an_unconfirmed_user_and_signs_in_its_owner(server: Server) -> None:
    idp = client_for(server)
    pool_id, client_id = _email_pool(idp)
    first = idp.sign_up(ClientId=client_id, Username="Ann@Example.com", Password=PASSWORD)["UserSub"]
    # "It does not have to be verified": an unconfirmed user's address is taken already
    assert error_of(idp.sign_up, ClientId=client_id, Username="Ann@Example.com", Password=PASSWORD) == \
        error_of(idp.admin_create_user, UserPoolId=pool_id, Username="Ann@Example.com") == \
        AwsError("UsernameExistsException", EMAIL_TAKEN, 400)
    idp.confirm_sign_up(ClientId=client_id, Username="Ann@Example.com",
                        ConfirmationCode=code_from_log(server, pool_id, first, "signup"))
    assert idp.admin_get_user(UserPoolId=pool_id, Username="Ann@Example.com")["Username"] == first
    sign_in(idp, client_id, "Ann@Example.com")


def test_an_email_differing_only_in_case_is_the_same_account_in_a_case_insensitive_pool(server: Server) -> None:
    idp = client_for(server)
    pool_id, client_id = _email_pool(idp, UsernameConfiguration={"CaseSensitive": False})
    variants = ["bea@example.com", "Bea@Example.com", "BEA@EXAMPLE.COM", "bEa@example.COM"]
    outcomes = race([_sign_up(idp, client_id, v) for v in variants])
    assert_one_winner_each(outcomes, len(variants), "UsernameExistsException", EMAIL_TAKEN)
    assert len(all_users(idp, pool_id)) == 1


def test_an_email_differing_only_in_case_is_another_account_in_a_case_sensitive_pool(server: Server) -> None:
    """"Case-sensitive user pools will require users to sign in using the exact capitalization case of their
    username or email address" (AWS Security Blog, "How to set case sensitivity in the Amazon Cognito console");
    CaseSensitive defaults to true in CreateUserPool (Developer Guide, "User pool case sensitivity")."""
    idp = client_for(server)
    pool_id, client_id = _email_pool(idp)
    first = idp.sign_up(ClientId=client_id, Username="Cy@example.com", Password=PASSWORD)["UserSub"]
    second = idp.sign_up(ClientId=client_id, Username="cy@example.com", Password=PASSWORD)["UserSub"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="Cy@example.com")["Username"] == first
    assert idp.admin_get_user(UserPoolId=pool_id, Username="cy@example.com")["Username"] == second
    assert error_of(idp.admin_get_user, UserPoolId=pool_id, Username="CY@EXAMPLE.COM").code == "UserNotFoundException"


def test_a_phone_number_signs_up_once(server: Server) -> None:
    idp = client_for(server)
    pool_id = new_pool(idp, UsernameAttributes=["phone_number"])
    client_id = str(new_client(idp, pool_id)["ClientId"])
    numbers = [f"+1555{n:07d}" for n in range(20)]
    outcomes = race([_sign_up(idp, client_id, number) for number in numbers for _ in range(3)])
    assert_one_winner_each(outcomes, 3, "UsernameExistsException", PHONE_TAKEN)
    assert len(all_users(idp, pool_id)) == len(numbers)


# --- item 2: the losers of a race for one username hear UsernameExistsException, never a 500 ---

def _username_race(clients: list[Any], pool_id: str, client_id: str, per_name: int = 5, names: int = 75) -> None:
    usernames = [unique("name") for _ in range(names)]
    calls = [_sign_up(clients[i % len(clients)], client_id, name) for name in usernames for i in range(per_name)]
    outcomes = race(calls)  # names * (per_name - 1) losing calls: 300 by default
    assert_one_winner_each(outcomes, per_name, "UsernameExistsException", "User already exists")
    assert sorted(u["Username"] for u in all_users(clients[0], pool_id)) == sorted(usernames)


def test_racing_sign_ups_for_one_username_lose_with_username_exists(server: Server) -> None:
    idp = client_for(server)
    pool_id = new_pool(idp)
    _username_race([idp], pool_id, str(new_client(idp, pool_id)["ClientId"]))


def test_two_servers_racing_for_one_username_answer_username_exists(two_nodes: tuple[Server, Server]) -> None:
    clients = [client_for(node) for node in two_nodes]
    pool_id = new_pool(clients[0])
    _username_race(clients, pool_id, str(new_client(clients[0], pool_id)["ClientId"]))


def test_racing_admin_creates_lose_with_user_account_already_exists(server: Server) -> None:
    idp = client_for(server)
    pool_id = new_pool(idp, UsernameConfiguration={"CaseSensitive": False})
    names = [unique("Admin") for _ in range(20)]
    calls = [lambda n=name, v=variant: idp.admin_create_user(UserPoolId=pool_id, Username=v(n),
                                                             MessageAction="SUPPRESS")
             for name in names for variant in (str, str.lower, str.upper, str.swapcase, str)]
    outcomes = race(calls)
    assert_one_winner_each(outcomes, 5, "UsernameExistsException", "User account already exists")
    assert len(all_users(idp, pool_id)) == len(names)


# --- item 15: (Admin)UpdateUserAttributes to an identifier another user holds is AliasExistsException ---

def test_updating_to_a_taken_email_is_alias_exists(server: Server) -> None:
    """moto's AWS-modelled test_use_existing_email__when_email_is_login, and aws/aws-sdk-net#4387: in a pool that
    signs in by e-mail, AdminUpdateUserAttributes to another user's address is AliasExistsException."""
    idp = client_for(server)
    pool_id, client_id = _email_pool(idp)
    for name in ("cleo", "dora"):
        idp.admin_create_user(UserPoolId=pool_id, Username=f"{name}@example.com", MessageAction="SUPPRESS",
                              TemporaryPassword=PASSWORD)
        idp.admin_set_user_password(UserPoolId=pool_id, Username=f"{name}@example.com", Password=PASSWORD,
                                    Permanent=True)
    taken = [{"Name": "email", "Value": "cleo@example.com"}]
    alias_exists = AwsError("AliasExistsException", EMAIL_TAKEN, 400)
    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username="dora@example.com",
                    UserAttributes=taken) == alias_exists
    access_token = sign_in(idp, client_id, "dora@example.com")["AccessToken"]
    assert error_of(idp.update_user_attributes, AccessToken=access_token, UserAttributes=taken) == alias_exists
    # nothing changed: each address still signs its own user in, and a free address can be taken
    sign_in(idp, client_id, "cleo@example.com")
    dora = idp.admin_get_user(UserPoolId=pool_id, Username="dora@example.com")["Username"]
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="dora@example.com",
                                     UserAttributes=[{"Name": "email", "Value": "dora2@example.com"}])
    assert idp.admin_get_user(UserPoolId=pool_id, Username="dora2@example.com")["Username"] == dora
    # the old address is free again
    idp.sign_up(ClientId=client_id, Username="dora@example.com", Password=PASSWORD)


def test_racing_updates_to_one_email_give_it_to_one_user(server: Server) -> None:
    idp = client_for(server)
    pool_id, _ = _email_pool(idp)
    names = [f"{unique('u')}@example.com" for _ in range(10)]
    for name in names:
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
    wanted = [{"Name": "email", "Value": "wanted@example.com"}]
    outcomes = race([lambda n=name: idp.admin_update_user_attributes(UserPoolId=pool_id, Username=n,
                                                                    UserAttributes=wanted) for name in names])
    assert_one_winner_each(outcomes, len(names), "AliasExistsException", EMAIL_TAKEN)
    assert len(users_with_email(idp, pool_id, "wanted@example.com")) == 1


# --- alias pools: an e-mail is unique among the users that verified it ---

def _alias_pool(idp: Any) -> tuple[str, str]:
    pool_id = new_pool(idp, AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
    return pool_id, str(new_client(idp, pool_id)["ClientId"])


def test_an_alias_is_claimed_on_confirmation_and_moved_only_when_forced(server: Server) -> None:
    idp = client_for(server)
    pool_id, client_id = _alias_pool(idp)
    for name in ("eve", "fay"):  # "During sign-up ... registration succeeds"
        idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "shared@example.com"}])
    idp.confirm_sign_up(ClientId=client_id, Username="eve",
                        ConfirmationCode=code_from_log(server, pool_id, "eve", "signup"))
    fay_code = code_from_log(server, pool_id, "fay", "signup")
    assert error_of(idp.confirm_sign_up, ClientId=client_id, Username="fay", ConfirmationCode=fay_code) == \
        AwsError("AliasExistsException", EMAIL_TAKEN, 400)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="fay")["UserStatus"] == "UNCONFIRMED"
    sign_in(idp, client_id, "shared@example.com")  # still eve's
    assert idp.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")["Username"] == "eve"

    idp.confirm_sign_up(ClientId=client_id, Username="fay", ConfirmationCode=fay_code, ForceAliasCreation=True)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")["Username"] == "fay"
    eve = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool_id, Username="eve")["UserAttributes"]}
    assert eve["email_verified"] == "false"


def test_admin_create_user_with_a_verified_alias_held_by_another_user(server: Server) -> None:
    idp = client_for(server)
    pool_id, _ = _alias_pool(idp)
    verified = [{"Name": "email", "Value": "held@example.com"}, {"Name": "email_verified", "Value": "true"}]
    idp.admin_create_user(UserPoolId=pool_id, Username="gus", UserAttributes=verified, MessageAction="SUPPRESS")
    # AdminCreateUser's model declares no AliasExistsException: its conflicts are UsernameExistsException
    assert error_of(idp.admin_create_user, UserPoolId=pool_id, Username="hal", UserAttributes=verified,
                    MessageAction="SUPPRESS").code == "UsernameExistsException"
    # unverified, the address is no alias: anyone may hold it
    idp.admin_create_user(UserPoolId=pool_id, Username="ida", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "held@example.com"}])
    idp.admin_create_user(UserPoolId=pool_id, Username="hal", UserAttributes=verified, MessageAction="SUPPRESS",
                          ForceAliasCreation=True)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="held@example.com")["Username"] == "hal"


def test_racing_confirmations_of_one_alias_give_it_to_one_user(server: Server) -> None:
    idp = client_for(server)
    pool_id, client_id = _alias_pool(idp)
    names = [unique("alias") for _ in range(8)]
    for name in names:
        idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "one@example.com"}])
    codes = {name: code_from_log(server, pool_id, name, "signup") for name in names}
    outcomes = race([lambda n=name: idp.confirm_sign_up(ClientId=client_id, Username=n, ConfirmationCode=codes[n])
                     for name in names])
    assert_one_winner_each(outcomes, len(names), "AliasExistsException", EMAIL_TAKEN)
    winner = names[[o.ok for o in outcomes].index(True)]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="one@example.com")["Username"] == winner


def test_verifying_an_alias_another_user_holds_is_alias_exists(server: Server) -> None:
    """VerifyUserAttribute and an administrator's email_verified=true claim the alias like a confirmation does;
    changing the address itself (unverified) takes nothing. Deleting a user frees what it held."""
    idp = client_for(server)
    pool_id, client_id = _alias_pool(idp)
    held = [{"Name": "email", "Value": "kim@example.com"}, {"Name": "email_verified", "Value": "true"}]
    for name in ("kim", "lou"):
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                              UserAttributes=held if name == "kim" else [])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    lou = sign_in(idp, client_id, "lou")["AccessToken"]
    idp.update_user_attributes(AccessToken=lou, UserAttributes=held[:1])  # unverified: allowed
    idp.get_user_attribute_verification_code(AccessToken=lou, AttributeName="email")
    code = code_from_log(server, pool_id, "lou", "verify:email")
    alias_exists = AwsError("AliasExistsException", EMAIL_TAKEN, 400)
    assert error_of(idp.verify_user_attribute, AccessToken=lou, AttributeName="email", Code=code) == alias_exists
    assert error_of(idp.admin_update_user_attributes, UserPoolId=pool_id, Username="lou",
                    UserAttributes=held) == alias_exists
    assert idp.admin_get_user(UserPoolId=pool_id, Username="kim@example.com")["Username"] == "kim"

    idp.admin_delete_user(UserPoolId=pool_id, Username="kim")
    idp.verify_user_attribute(AccessToken=lou, AttributeName="email", Code=code)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="kim@example.com")["Username"] == "lou"



def test_a_preferred_username_belongs_to_one_user(server: Server) -> None:
    """"Alias values must be unique in a user pool" (Developer Guide, "Aliases"); in a case-insensitive pool the
    preferred_username alias is too (API Reference, UsernameConfigurationType)."""
    idp = client_for(server)
    pool_id = new_pool(idp, AliasAttributes=["preferred_username"], UsernameConfiguration={"CaseSensitive": False})
    client_id = str(new_client(idp, pool_id)["ClientId"])
    for name in ("max", "ned"):
        idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD)
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    idp.update_user_attributes(AccessToken=sign_in(idp, client_id, "max")["AccessToken"],
                               UserAttributes=[{"Name": "preferred_username", "Value": "Star"}])
    assert error_of(idp.update_user_attributes, AccessToken=sign_in(idp, client_id, "ned")["AccessToken"],
                    UserAttributes=[{"Name": "preferred_username", "Value": "star"}]) == AwsError(
        "AliasExistsException", "An account with the given preferred_username already exists.", 400)
    tokens = sign_in(idp, client_id, "STAR")
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "max"
