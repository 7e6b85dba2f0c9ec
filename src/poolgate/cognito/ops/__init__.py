"""One module per family of cognito-idp operations; importing this package registers them all."""

from . import auth, clients, groups, pools, selfservice, users  # noqa: F401
