"""Claims as API Gateway's Cognito authorizer hands them to the backend: every value a string (reference §4)."""

from __future__ import annotations

from poolgate.dataplane.claims import java_date, stringify_claims


def test_claims_are_stringified_like_api_gateway() -> None:
    claims = {
        "sub": "5f7b1c2e-0000-4000-8000-000000000000", "email_verified": True, "phone_number_verified": False,
        "cognito:groups": ["anotherGroup", "admin"], "auth_time": 1574911451, "exp": 1574915051,
        "iat": 1574911451, "identities": [{"providerName": "Google", "primary": True}], "custom:tier": "gold",
        "updated_at": 1574911451.0, "version": 2,
    }
    out = stringify_claims(claims)
    assert out == {
        "sub": "5f7b1c2e-0000-4000-8000-000000000000", "email_verified": "true", "phone_number_verified": "false",
        "cognito:groups": "anotherGroup,admin", "auth_time": "1574911451", "exp": "Thu Nov 28 04:24:11 UTC 2019",
        "iat": "Thu Nov 28 03:24:11 UTC 2019", "identities": '{"providerName":"Google","primary":true}',
        "custom:tier": "gold", "updated_at": "1574911451", "version": "2",
    }


def test_java_date_pads_the_day() -> None:
    assert java_date(1704164645) == "Tue Jan 02 03:04:05 UTC 2024"
