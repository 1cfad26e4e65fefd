"""dbt's `modules` context for sqlfluff's jinja templater (macros/partition_filter.sql uses modules.re)."""
import re  # noqa: F401  (read by the templated macros as modules.re)
