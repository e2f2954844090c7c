"""Retention, erasure and access requests for the residents' data (see docs/privacy.md)."""
