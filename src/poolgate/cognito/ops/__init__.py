"""One module per family of cognito-idp operations; importing this package registers them all."""

from . import (  # noqa: F401
    attributes,
    auth,
    clients,
    devices,
    domains,
    groups,
    identity_providers,
    mfa,
    pools,
    resets,
    resource_servers,
    selfservice,
    tags,
    users,
    webauthn,
)
