"""What a user pool serves over plain HTTP: JWKS and OpenID discovery (hosted UI and OAuth come later)."""
