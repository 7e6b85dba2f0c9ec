"""Cognito-compatible user pools: the identity provider."""
