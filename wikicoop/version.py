"""The version of wikicoop (plugins may name the core version they were built for)."""

__version__ = "0.1.0"
