"""Helpers of the lambda tests."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from tests.support import Server


def lambda_client(server: Server) -> Any:
    """A boto3 lambda client for the server: no retries, a read timeout long enough for a cold start."""
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                        aws_secret_access_key="secretsecretsecret",
                        config=Config(retries={"max_attempts": 0}, read_timeout=60))
