"""User-pool identity providers (issue 16): what CreateIdentityProvider stores and how a federated subject becomes a
user. No HTTP here: the hosted UI's side of federation is ``oauth/federation.py`` and ``oauth/idp_client.py``.

    providers.py    the providers: AWS's input rules, storage, DescribeIdentityProvider's shape
    identities.py   the ``identities`` attribute and claim, as Cognito writes them
    links.py        a provider's subject → its user (created, updated, linked to a native user, unlinked)
"""
