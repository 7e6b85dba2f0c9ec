"""The ``apiKeys:`` and ``usagePlans:`` sections of poolgate.yaml (API Gateway's API keys and usage plans).

::

    apiKeys:
      - name: partner-a                  # required, unique
        value: "a-key-of-at-least-20-chars"   # 20..128 characters; omitted: a 40-character key is generated
                                         # on the first start, kept in the database (the same after a restart,
                                         # a reset and on every node of that database) and printed at start
        enabled: true                    # default true; a disabled key is refused (403 Forbidden)
        description: Partner A           # optional
    usagePlans:
      - name: Basic                      # required, unique
        apiStages:                       # the API stages the plan's keys may call
          - api: petsapi01               # API id or name (of an ``apis:`` entry)
            stage: prod
            throttle:                    # optional per-method limits, "/{resourcePath}/{METHOD}"
              "/pets/GET": {rateLimit: 5, burstLimit: 10}
        throttle: {rateLimit: 10, burstLimit: 20}           # per key: token bucket (requests/s, bucket size)
        quota: {limit: 1000, period: DAY, offset: 0}        # per key: DAY | WEEK | MONTH (UTC windows)
        keys: [partner-a]                # apiKeys by name; a key may be in one plan per API stage

Methods with ``apiKeyRequired`` take the key from ``x-api-key`` (or a Lambda authorizer's
``usageIdentifierKey`` when the API's ``apiKeySource`` is ``AUTHORIZER``); ``metering.py`` enforces it.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..apigw.checks import Checker
from ..apigw.domain import ANY, HTTP_METHODS, RestApi
from ..clock import Clock
from ..config import Config
from ..store.counters import QuotaPeriod
from ..store.db import Database
from ..store.secrets import stored_text

_KEY_FIELDS = ("name", "value", "enabled", "description")
_PLAN_FIELDS = ("name", "description", "apiStages", "throttle", "quota", "keys")
_STAGE_FIELDS = ("api", "stage", "throttle")
_THROTTLE_FIELDS = ("rateLimit", "burstLimit")
_QUOTA_FIELDS = ("limit", "period", "offset")
_NAME = re.compile(r"^[\w .:@+=/-]{1,128}$")
GENERATED_KEY_LENGTH = 40


def declared_key_id(name: str) -> str:
    return hashlib.sha256(f"apikey:{name}".encode()).hexdigest()[:10]


def declared_plan_id(name: str) -> str:
    """The id the apigateway API shows for a declared usage plan (stable across restarts and nodes)."""
    return hashlib.sha256(f"usageplan:{name}".encode()).hexdigest()[:6]


@dataclass(frozen=True, slots=True)
class Throttle:
    rate: float
    burst: int


@dataclass(frozen=True, slots=True)
class Quota:
    limit: int
    period: QuotaPeriod
    offset: int = 0


@dataclass(slots=True)
class ApiKey:
    name: str
    value: str | None  # None until generated at startup
    enabled: bool = True
    description: str = ""
    generated: bool = False
    """Declared without a value: the value is generated once and kept in the database (``keep_generated``)."""
    key_id: str | None = None
    """The id of a key made through the apigateway API (``apigw_control/apikeys.py``); None for declared keys."""

    @property
    def id(self) -> str:
        """A stable 10-character key id (``$context.identity.apiKeyId``), the same on every node."""
        if self.key_id is not None:
            return self.key_id
        return declared_key_id(self.name)

    def __repr__(self) -> str:
        return f"ApiKey(name={self.name!r}, enabled={self.enabled})"


@dataclass(slots=True)
class PlanStage:
    api_id: str
    stage: str
    methods: dict[tuple[str, str], Throttle] = field(default_factory=dict)
    """(resource path, METHOD) → throttle."""


@dataclass(slots=True)
class UsagePlan:
    name: str
    stages: list[PlanStage]
    throttle: Throttle | None
    quota: Quota | None
    keys: list[str]
    """Entries of ``UsagePlans.keys`` (a declared key's name; ``id:{key id}`` for a key made through the API)."""
    id: str | None = None
    """The id of a plan made through the apigateway API; None for declared plans (counted under their name)."""
    created: float | None = None

    @property
    def token(self) -> str:
        """What the plan's counters are named after."""
        return f"id:{self.id}" if self.id is not None else self.name

    @property
    def plan_id(self) -> str:
        return self.id if self.id is not None else declared_plan_id(self.name)


def quota_counter(plan: UsagePlan, key_ref: str) -> str:
    """The counter of ``plan``'s quota for one key (``metering.py`` counts, GetUsage reads)."""
    return f"quota:{plan.token}:{key_ref}"


@dataclass(slots=True)
class UsagePlans:
    keys: dict[str, ApiKey] = field(default_factory=dict)  # by name
    plans: list[UsagePlan] = field(default_factory=list)

    async def keep_generated(self, db: Database, clock: Clock, new_value: Callable[[], str]) -> list[str]:
        """Give keys declared without a value their kept value: generated on the first start and kept in the
        database (``server_secrets``, under ``api-key:{key id}``), so it survives restarts and, re-kept after a
        reset wiped it, resets too; every node of one database serves the same. The banner lines naming them."""
        lines = []
        for key in self.keys.values():
            if key.generated:
                key.value = await stored_text(db, clock, f"api-key:{key.id}", key.value or new_value())
                lines.append(f"api key {key.name}: {key.value} (generated once, kept in the database; "
                             "set value: in poolgate.yaml to choose it)")
        return lines


def _throttle(ch: Checker, value: Any, where: str) -> Throttle | None:
    if value is None:
        return None
    spec = ch.mapping(value, where)
    ch.only_keys(spec, where, _THROTTLE_FIELDS)
    rate = spec.get("rateLimit")
    ch.expect(isinstance(rate, int | float) and not isinstance(rate, bool) and rate >= 0, f"{where}.rateLimit",
              "required: a number of requests per second >= 0")
    burst = ch.integer(spec.get("burstLimit"), f"{where}.burstLimit", 0, 10**9)
    assert isinstance(rate, int | float)
    return Throttle(float(rate), burst)


def _quota(ch: Checker, value: Any, where: str) -> Quota | None:
    if value is None:
        return None
    spec = ch.mapping(value, where)
    ch.only_keys(spec, where, _QUOTA_FIELDS)
    limit = ch.integer(spec.get("limit"), f"{where}.limit", 0, 10**12)
    period = QuotaPeriod(ch.one_of(spec.get("period"), f"{where}.period", [p.value for p in QuotaPeriod]))
    offset = ch.integer(spec.get("offset", 0), f"{where}.offset", 0, 10**12)
    ch.expect(offset < limit or limit == offset == 0, f"{where}.offset", "must be less than limit")
    return Quota(limit, period, offset)


def _keys(ch: Checker, value: Any) -> dict[str, ApiKey]:
    keys: dict[str, ApiKey] = {}
    if value is None:
        return keys
    ch.expect(isinstance(value, list), "$.apiKeys", "must be a list of API keys")
    values: set[str] = set()
    for index, item in enumerate(value):
        where = f"$.apiKeys[{index}]"
        spec = ch.mapping(item, where)
        ch.only_keys(spec, where, _KEY_FIELDS)
        name = ch.string(spec.get("name"), f"{where}.name")
        ch.expect(_NAME.match(name) is not None, f"{where}.name", "1 to 128 letters, digits, spaces and _.:@+=/-")
        ch.expect(name not in keys, f"{where}.name", f"API key {name!r} is declared twice")
        key_value = spec.get("value")
        if key_value is not None:
            ch.expect(isinstance(key_value, str), f"{where}.value", "must be a string")
            ch.expect(len(key_value) >= 20, f"{where}.value", "API Key value should be at least 20 characters")
            ch.expect(len(key_value) <= 128, f"{where}.value", "API Key value exceeds maximum size of 128 characters")
            ch.expect(key_value not in values, f"{where}.value", "two API keys have the same value")
            values.add(key_value)
        keys[name] = ApiKey(name, key_value, ch.boolean(spec.get("enabled"), f"{where}.enabled", default=True),
                            ch.optional_string(spec.get("description"), f"{where}.description") or "",
                            generated=key_value is None)
    return keys


def _api(ch: Checker, apis: list[RestApi], value: Any, where: str) -> RestApi:
    name = ch.string(value, where)
    found = [api for api in apis if api.id == name] or [api for api in apis if api.name == name]
    ch.expect(len(found) == 1, where, f"no API with id or name {name!r} under apis" if not found
              else f"several APIs are named {name!r}: use the id")
    return found[0]


def _plan_stage(ch: Checker, apis: list[RestApi], value: Any, where: str) -> PlanStage:
    spec = ch.mapping(value, where)
    ch.only_keys(spec, where, _STAGE_FIELDS)
    api = _api(ch, apis, spec.get("api"), f"{where}.api")
    stage = ch.string(spec.get("stage"), f"{where}.stage")
    ch.expect(stage in api.stages, f"{where}.stage", f"API {api.id} has no stage {stage!r}")
    result = PlanStage(api.id, stage)
    for target, limits in ch.mapping(spec.get("throttle"), f"{where}.throttle").items():
        here = f"{where}.throttle.{target}"
        path, _, method = target.rpartition("/")
        path = path or "/"
        ch.expect(target.startswith("/") and method in (*HTTP_METHODS, ANY, "*"), here,
                  'must be "/{resourcePath}/{METHOD}", e.g. "/pets/GET"')
        ch.expect(path in api.resources and (method == "*" or method in api.resources[path].methods), here,
                  f"API {api.id} has no method {method} on resource {path}")
        throttle = _throttle(ch, limits, here)
        assert throttle is not None
        result.methods[(path, method)] = throttle
    return result


def parse_usage_plans(config: Config, apis: list[RestApi]) -> UsagePlans:
    """Validate both sections against the declared APIs; raises ``ConfigError`` naming file, path, problem."""
    ch = Checker(config.file or "<config>")
    result = UsagePlans(_keys(ch, config.raw.get("apiKeys")))
    entries = config.raw.get("usagePlans")
    if entries is None:
        return result
    ch.expect(isinstance(entries, list), "$.usagePlans", "must be a list of usage plans")
    names: set[str] = set()
    taken: dict[tuple[str, str, str], str] = {}  # (key, api, stage) → plan
    for index, item in enumerate(entries):
        where = f"$.usagePlans[{index}]"
        spec = ch.mapping(item, where)
        ch.only_keys(spec, where, _PLAN_FIELDS)
        name = ch.string(spec.get("name"), f"{where}.name")
        ch.expect(name not in names, f"{where}.name", f"usage plan {name!r} is declared twice")
        names.add(name)
        raw_stages = spec.get("apiStages") or []
        ch.expect(isinstance(raw_stages, list), f"{where}.apiStages", "must be a list of {api, stage}")
        stages = [_plan_stage(ch, apis, s, f"{where}.apiStages[{i}]") for i, s in enumerate(raw_stages)]
        keys = ch.string_list(spec.get("keys"), f"{where}.keys")
        for key_index, key in enumerate(keys):
            here = f"{where}.keys[{key_index}]"
            ch.expect(key in result.keys, here, f"no API key named {key!r} under apiKeys")
            for stage in stages:
                other = taken.setdefault((key, stage.api_id, stage.stage), name)
                ch.expect(other == name, here, f"API key {key!r} is already in usage plan {other!r} for API "
                                               f"{stage.api_id} stage {stage.stage}")
        result.plans.append(UsagePlan(name, stages, _throttle(ch, spec.get("throttle"), f"{where}.throttle"),
                                      _quota(ch, spec.get("quota"), f"{where}.quota"), keys))
    return result
