"""poolgate: a self-hosted, AWS-compatible API gateway with built-in Cognito-style user pools."""

__version__ = "0.1.0"
