"""Lambda runtimes beyond the in-process Python path: runtime pools of child processes speaking the Lambda
Runtime API.

``runtimes.py`` (the runtime identifiers and what each needs in a code directory), ``pool.py`` (warm instances,
reserved concurrency, throttling, timeouts), ``instance.py`` (one process, its output, its REPORT lines),
``runtime_api.py`` (the Runtime API each instance is served on 127.0.0.1), ``bootstrap/node.mjs`` (poolgate's
own Node.js runtime). ``dataplane/functions.FunctionRuntime`` is the one entry point for every runtime.
"""
