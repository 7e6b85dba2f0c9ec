"""The apigateway control plane (REST-JSON): REST APIs built and deployed as boto3 and the AWS CLI do.

Layout: ``plane.py`` (HTTP: authenticate, route, parse, one transaction, serialize), ``routes.py`` (botocore's
model: method + requestUri → operation), ``registry.py`` (the operation registry and the call context), one
module per family of operations (``restapis.py``, ``resources.py``, ``methods.py``, ``integrations.py``,
``authorizers.py``, ``deployments.py``, ``stages.py``, ``gatewayresponses.py``, ``imports.py``, ``export.py``,
``testinvoke.py``), ``repo.py`` (the rows, the per-API write lock, snapshots), ``shapes.py`` (output shapes),
``patch.py`` (patch operations), ``writer.py`` + ``render.py`` (a model written as a working copy) and
``declared.py`` (poolgate.yaml's APIs in the database).
"""

from __future__ import annotations

from .plane import ApiGatewayControl

__all__ = ["ApiGatewayControl"]
