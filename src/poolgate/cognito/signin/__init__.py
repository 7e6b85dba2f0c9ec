"""The sign-in engine: every way into a user pool (InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge and the
hosted UI's login pages) drives ``engine.Engine``; no HTTP and no wire shapes here.

    engine.py       start(flow, …) / answer(challenge, …) -> Step
    steps.py        Step = Issued(tokens) | Challenge(name, parameters, session)
    state.py        one frozen dataclass per challenge's stored state, one dump/load
    errors.py       SignInError(reason, code, message): the JSON API renders code and message, the hosted UI reason
    sessions.py     challenge sessions (single use, AuthSessionValidity)
    issuer.py       the one token issuer (PreTokenGeneration, then the minter)
    lockout.py      password checks and Cognito's lock-out
    first_factor.py password sign-in, UserMigration, PreAuthentication, NEW_PASSWORD_REQUIRED
    factors.py      MFA (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP) and finishing
    srp_flow.py     USER_SRP_AUTH's PASSWORD_VERIFIER
    custom.py       CUSTOM_AUTH's triggers
    choice.py       USER_AUTH, choice-based sign-in: SELECT_CHALLENGE, PASSWORD(_SRP), EMAIL_OTP, SMS_OTP, WEB_AUTHN
    passkey.py      USER_AUTH's WEB_AUTHN challenge (passkeys, checked by cognito/passkeys.py)
    device.py       the DEVICE_KEY a call presents: device SRP before MFA, the device the tokens name
    device_srp.py   DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (a remembered device instead of the MFA code)

This package imports nothing here on purpose: importing ``signin.issuer`` (as ``refresh.py`` and the OAuth plane
do) loads no more than the issuer.
"""
