{#- True for rows of the partitions being rebuilt (macro partitions(), e.g. ['PAR_INDEX/2024']); all when empty. -#}
{% macro partition_filter(index_column='index_code', year_column='year') %}
    {%- set chosen = partitions() -%}
    {%- if chosen | length == 0 -%}
        true
    {%- else -%}
        {%- for partition in chosen -%}
            {%- if not modules.re.fullmatch('[A-Z][A-Z_]*/[0-9]{4}', partition) -%}
                {{ exceptions.raise_compiler_error("partition must look like INDEX/YEAR, got " ~ partition) }}
            {%- endif -%}
        {%- endfor -%}
        ({{ index_column }} || '/' || {{ year_column }}) in (
            {%- for partition in chosen %}'{{ partition }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        )
    {%- endif -%}
{% endmacro %}
