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
        {#- Pairs of the two columns, not their concatenation: the planner estimates the rows from each column's
            statistics (a concatenation is guessed at 0.5 %, one row, and big joins were planned as nested loops). -#}
        ({{ index_column }}, {{ year_column }}) in (
            {%- for partition in chosen %}('{{ partition.split('/') | first }}', {{ partition.split('/') | last | int }})
            {%- if not loop.last %}, {% endif %}{% endfor -%}
        )
    {%- endif -%}
{% endmacro %}
