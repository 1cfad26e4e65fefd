"""dbt's `exceptions` context for sqlfluff's jinja templater: a lint renders the SQL, it does not enforce the macros'
checks (sqlfluff's var() returns a placeholder that macros/partition_filter.sql would refuse)."""


def raise_compiler_error(message: str) -> str:
    return ""
