"""The apigateway control plane (REST-JSON), read-only: what poolgate serves, as boto3 and the AWS CLI ask.

Layout: ``plane.py`` (HTTP: authenticate, route, parse, serialize), ``routes.py`` (botocore's model:
method + requestUri → operation), ``ops.py`` (one function per operation), ``catalog.py`` (the data
plane's compiled deployments as one caller sees them), ``render.py`` (the output shapes).
"""

from __future__ import annotations

from .plane import ApiGatewayControl

__all__ = ["ApiGatewayControl"]
