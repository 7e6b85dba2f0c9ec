"""The lambda control plane (REST-JSON, ``/2015-03-31/functions…``): functions stored in the database, their
code under the data directory, invoked through the same runtimes as the gateway (``lambdas/``)."""

from .plane import LambdaControl

__all__ = ["LambdaControl"]
