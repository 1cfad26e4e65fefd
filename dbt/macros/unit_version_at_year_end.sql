{#- Join condition: the version of a unit (dim_unit, SCD2) valid on 31 December of the fact's year. -#}
{% macro unit_version_at_year_end(units, facts) %}
    {{ units }}.unit_code = {{ facts }}.unit_code
    and {{ units }}.unit_type = {{ facts }}.unit_type
    and make_date({{ facts }}.year, 12, 31) between {{ units }}.valid_from and coalesce({{ units }}.valid_to, date '9999-12-31')
{% endmacro %}
