"""API keys and usage plans walked in the console in Debian's chromium, by roles and labels only (the AWS console's
words): Create API → Create resource /items → Create method GET (Mock) → Deploy API to a new stage prod →
Create API key (Auto generate) → Show key → Create usage plan (Throttling, a Quota of 3 requests per day) →
Add stage (the API's prod) → Add API key → API key required in Method request → Deploy API → the invoke URL
answers 403 ``Forbidden`` without the key, 200 with it, and 429 ``Limit Exceeded`` once the quota is spent
(the answers of AWS's API key check and quota: docs.aws.amazon.com/apigateway/latest/developerguide/
api-gateway-api-usage-plans.html and the ``INVALID_API_KEY`` / ``QUOTA_EXCEEDED`` gateway responses).
boto3 sees what the console made."""

from __future__ import annotations

import re
import time
from typing import Any

import boto3
import requests
from botocore.config import Config

from ..support import Server

CUSTOM_KEY = "custom-key-value-0123456789abcdef"


def _apigw(server: Server) -> Any:
    return boto3.client("apigateway", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="AKIDTEST", aws_secret_access_key="secretsecretsecret",
                        config=Config(retries={"max_attempts": 0}))


def _keyed_call(url: str, key: str) -> requests.Response:
    """The first answer with the key that is not the 403 of a key the data plane does not serve yet (plan
    changes reach the data plane within about a second); a 403 is not counted against the quota."""
    deadline = time.monotonic() + 10
    while True:
        answer = requests.get(url, headers={"x-api-key": key}, timeout=30)
        if answer.status_code != 403 or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_api_key_usage_plan_and_api_key_required(server: Server, browser: Any) -> None:
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    page.goto(f"{server.url}/_console/")
    services = page.get_by_role("navigation", name="Services")

    services.get_by_role("link", name="APIs").click()
    page.get_by_role("link", name="Create API").click()
    page.get_by_label("API name").fill("Keyed")
    page.get_by_role("button", name="Create API").click()
    page.get_by_role("link", name="Create resource").click()
    page.get_by_label("Resource name").fill("items")
    page.get_by_role("button", name="Create resource").click()
    page.get_by_role("link", name="Create method").click()
    page.get_by_label("Method type").select_option("GET")
    page.get_by_role("radio", name="Mock").check()
    page.get_by_role("button", name="Create method").click()
    expect(page.get_by_role("heading", name="GET method")).to_be_visible()
    page.get_by_role("link", name="Deploy API").click()
    page.get_by_label("Stage", exact=True).select_option(label="*New stage*")
    page.get_by_label("Stage name").fill("prod")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_contain_text("Successfully deployed to stage prod")
    invoke_url = page.get_by_role("row", name=re.compile(r"^Invoke URL http")).get_by_role("link").get_attribute(
        "href")
    assert invoke_url
    url = invoke_url + "items"
    assert requests.get(url, timeout=30).status_code == 200  # no key needed yet

    services.get_by_role("link", name="API keys").click()
    page.get_by_role("link", name="Create API key").click()
    page.get_by_label("Name", exact=True).fill("partner")
    page.get_by_role("radio", name="Auto generate").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("API key created")
    expect(page.get_by_role("row", name="API key ****************")).to_be_visible()  # hidden until asked
    page.get_by_role("button", name="Show key").click()
    key = page.get_by_role("row", name=re.compile(r"^API key \S{20,}$")).get_by_role("cell").inner_text().strip()
    assert len(key) >= 20 and "*" not in key

    services.get_by_role("link", name="API keys").click()  # a custom value, and one refused (too short)
    page.get_by_role("link", name="Create API key").click()
    page.get_by_label("Name", exact=True).fill("custom")
    page.get_by_role("radio", name="Custom").check()
    page.get_by_label("API key value").fill("short")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("BadRequestException")
    page.get_by_label("API key value").fill(CUSTOM_KEY)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Show key").click()
    expect(page.get_by_role("row", name=f"API key {CUSTOM_KEY}")).to_be_visible()

    services.get_by_role("link", name="Usage plans").click()
    page.get_by_role("link", name="Create usage plan").click()
    page.get_by_label("Name", exact=True).fill("basic")
    page.get_by_label("Throttling", exact=True).check()
    page.get_by_label("Rate", exact=True).fill("100")
    page.get_by_label("Burst", exact=True).fill("50")
    page.get_by_label("Quota", exact=True).check()
    page.get_by_label("Requests", exact=True).fill("3")
    page.get_by_label("Per", exact=True).select_option(label="Day")
    page.get_by_role("button", name="Create usage plan").click()
    expect(page.get_by_role("heading", name="basic", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Quota 3 requests per day")).to_be_visible()
    page.get_by_label("API", exact=True).select_option(label="Keyed")
    page.get_by_label("Stage", exact=True).fill("nostage")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("alert")).to_contain_text("NotFoundException")  # the plane's refusal, shown
    page.get_by_label("Stage", exact=True).fill("prod")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("status")).to_contain_text("Stage added to the usage plan")
    expect(page.get_by_role("row", name="Keyed prod")).to_be_visible()
    page.get_by_label("API key", exact=True).select_option(label="partner")
    page.get_by_role("button", name="Add API key").click()
    expect(page.get_by_role("status")).to_contain_text("API key added to the usage plan")
    expect(page.get_by_role("link", name="partner")).to_be_visible()

    services.get_by_role("link", name="APIs").click()
    page.get_by_role("link", name="Keyed").click()
    page.get_by_role("link", name="GET /items").click()
    page.get_by_label("API key required").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Method request saved")
    assert requests.get(url, timeout=30).status_code == 200  # not deployed yet
    page.get_by_role("link", name="Deploy API").click()
    page.get_by_label("Stage", exact=True).select_option(label="prod")
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_contain_text("Successfully deployed to stage prod")

    refused = requests.get(url, timeout=30)
    assert (refused.status_code, refused.json()) == (403, {"message": "Forbidden"})
    wrong = requests.get(url, headers={"x-api-key": CUSTOM_KEY}, timeout=30)  # a key in no plan of this stage
    assert (wrong.status_code, wrong.json()) == (403, {"message": "Forbidden"})
    assert _keyed_call(url, key).status_code == 200
    statuses = [requests.get(url, headers={"x-api-key": key}, timeout=30).status_code for _ in range(2)]
    assert statuses == [200, 200]
    spent = requests.get(url, headers={"x-api-key": key}, timeout=30)
    assert (spent.status_code, spent.json()) == (429, {"message": "Limit Exceeded"})

    apigw = _apigw(server)
    plan = next(p for p in apigw.get_usage_plans()["items"] if p["name"] == "basic")
    assert plan["quota"] == {"limit": 3, "offset": 0, "period": "DAY"}
    assert plan["throttle"] == {"rateLimit": 100.0, "burstLimit": 50}
    assert [(s["stage"]) for s in plan["apiStages"]] == ["prod"]
    members = apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    assert [(m["name"], m["value"]) for m in members] == [("partner", key)]


def test_usage_plan_forms_refuse_bad_numbers_and_need_the_session_token(server: Server) -> None:
    """Posted as a browser posts them: a Rate that is not a number is the form's own 400 (nothing created); a
    POST without the session's form token is refused before any operation runs."""
    session = requests.Session()
    page = session.get(f"{server.url}/_console/usage-plans/create", timeout=10)
    token = re.search(r'name="_token" value="([^"]+)"', page.text)
    assert token
    before = len(_apigw(server).get_usage_plans()["items"])
    bad = session.post(f"{server.url}/_console/usage-plans/create", data={
        "_token": token.group(1), "name": "bad", "throttling": "yes", "rate": "fast", "burst": "1"},
        allow_redirects=False, timeout=10)
    assert bad.status_code == 400 and "Rate must be a number." in bad.text
    forged = session.post(f"{server.url}/_console/usage-plans/create", data={"name": "forged"},
                          allow_redirects=False, timeout=10)
    assert forged.status_code == 403
    forged_key = session.post(f"{server.url}/_console/api-keys/create", data={"name": "forged"},
                              headers={"Origin": "http://evil.example"}, allow_redirects=False, timeout=10)
    assert forged_key.status_code == 403
    assert len(_apigw(server).get_usage_plans()["items"]) == before
    assert "forged" not in [k.get("name") for k in _apigw(server).get_api_keys()["items"]]
