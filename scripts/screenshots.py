#!/usr/bin/env python3
"""Screenshots of every hosted-UI page, written to docs/screenshots/*.png.

Starts a throwaway poolgate (ephemeral storage) with a pool, a domain, an app client and a user, then
drives Debian's chromium (headless, via Playwright) through the pages. Run: ``python scripts/screenshots.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("POOLGATE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
CLIENT = "screenshotclient000000000a"
CALLBACK = "http://localhost:3000/callback"
CONFIG = f"""
userPools:
  - id: us-east-1_Screens01
    name: SecurePets
    domain: securepets
    settings:
      AutoVerifiedAttributes: [email]
      Schema: [{{Name: email, AttributeDataType: String, Required: true, Mutable: true}}]
    clients:
      - id: {CLIENT}
        name: web
        settings:
          AllowedOAuthFlowsUserPoolClient: true
          AllowedOAuthFlows: [code, implicit]
          AllowedOAuthScopes: [openid, email, profile]
          CallbackURLs: [{CALLBACK}]
          LogoutURLs: [http://localhost:3000/]
          SupportedIdentityProviders: [COGNITO]
        explicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    users:
      - username: alice
        password: Passw0rd!
        attributes: {{email: alice@example.com, email_verified: true}}
      - username: carol
        temporaryPassword: Temp-Passw0rd!
        attributes: {{email: carol@example.com, email_verified: true}}
      - username: dave
        password: Passw0rd!
        attributes: {{email: dave@example.com, email_verified: true}}
      - username: erin
        password: Passw0rd!
        attributes: {{email: erin@example.com, email_verified: true}}
"""


def _enrol_totp(url: str) -> None:
    """Give dave a TOTP software token (through the JSON API, as an app would), so the login asks for a code."""
    import boto3
    import pyotp

    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    idp.set_user_pool_mfa_config(UserPoolId="us-east-1_Screens01", MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    tokens = idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "dave", "PASSWORD": "Passw0rd!"})["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})


def _require_mfa(url: str) -> None:
    """Make MFA required (ON): erin, who has no MFA yet, is asked to set up an authenticator app."""
    import boto3

    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="local",
                       aws_secret_access_key="local")
    idp.set_user_pool_mfa_config(UserPoolId="us-east-1_Screens01", MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(config: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "poolgate.cli", "serve", "--port", str(port), "--ephemeral",
                                "--config", str(config), "--log-level", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_poolgate/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("poolgate did not start")


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run scripts/ci-browser.sh")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "poolgate.yaml"
        config.write_text(CONFIG)
        port = _free_port()
        server = _start(config, port)
        try:
            base = f"http://127.0.0.1:{port}/_domains/securepets"
            query = urlencode({"client_id": CLIENT, "redirect_uri": CALLBACK, "response_type": "code",
                               "scope": "openid email", "state": "xyz"})
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                desktop = browser.new_page(viewport={"width": 900, "height": 760})
                phone = browser.new_page(viewport={"width": 375, "height": 720}, device_scale_factor=2)

                def shot(page: object, url: str, name: str, fill: dict[str, str] | None = None,
                         submit: str | None = None) -> None:
                    page.goto(url)  # type: ignore[attr-defined]
                    for label, value in (fill or {}).items():
                        page.get_by_label(label, exact=True).fill(value)  # type: ignore[attr-defined]
                    if submit:
                        page.get_by_role("button", name=submit).click()  # type: ignore[attr-defined]
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
                    print(f"docs/screenshots/{name}.png")

                shot(desktop, f"{base}/login?{query}", "login")
                shot(desktop, f"{base}/login?{query}", "login-error",
                     {"Username": "alice", "Password": "wrong"}, "Sign in")
                shot(desktop, f"{base}/signup?{query}", "signup")
                shot(desktop, f"{base}/signup?{query}", "signup-errors",
                     {"Username": "alice", "Email": "", "Password": "short"}, "Sign up")
                shot(desktop, f"{base}/confirmUser?{query}&username=bob", "confirm-user")
                shot(desktop, f"{base}/forgotPassword?{query}", "forgot-password")
                shot(desktop, f"{base}/confirmForgotPassword?{query}&username=alice", "confirm-forgot-password")
                bad = query.replace("localhost%3A3000", "evil.example")
                shot(desktop, f"{base}/oauth2/authorize?{bad}", "error-redirect-mismatch")
                shot(phone, f"{base}/login?{query}", "login-phone")
                # Sign-ins that need a second step, each in a browser context of its own (no shared session).
                _enrol_totp(f"http://127.0.0.1:{port}")
                for user, name in (("carol", "new-password"), ("dave", "mfa-code")):
                    page = browser.new_context(viewport={"width": 900, "height": 760}).new_page()
                    shot(page, f"{base}/login?{query}", name,
                         {"Username": user, "Password": "Temp-Passw0rd!" if user == "carol" else "Passw0rd!"},
                         "Sign in")
                _require_mfa(f"http://127.0.0.1:{port}")
                page = browser.new_context(viewport={"width": 900, "height": 760}).new_page()
                shot(page, f"{base}/login?{query}", "mfa-setup", {"Username": "erin", "Password": "Passw0rd!"},
                     "Sign in")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
