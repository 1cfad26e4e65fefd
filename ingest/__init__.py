"""Governance-indicator warehouse: ingest, transform, check and publish annual index releases."""
