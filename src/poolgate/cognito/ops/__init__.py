"""One module per family of cognito-idp operations; importing this package registers them all."""

from . import auth, clients, domains, groups, mfa, pools, resource_servers, selfservice, users  # noqa: F401
