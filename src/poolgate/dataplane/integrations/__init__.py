"""Integration plug-ins, one module per type (see ``dataplane/plugins.py`` for the contract)."""
