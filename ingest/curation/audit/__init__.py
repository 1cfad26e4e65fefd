"""The audit of a published report's printed figures."""
