{#- The partitions (INDEX/YEAR) this build rebuilds; [] = all. What audit.candidate_builds records for the target
    schema (ingest/wap/candidates.py writes it before dbt runs), read when the models run: a change of partitions
    then leaves dbt's partial parse valid (a change of --vars makes dbt parse the whole project again). The var
    `partitions` for a build that has no such record. -#}
{% macro partitions() %}
    {%- if execute -%}
        {%- set found = run_query("select partitions from audit.candidate_builds where candidate = '"
                                  ~ (target.schema | replace("'", "''")) ~ "'") -%}
        {%- if found is not none and found.rows | length == 1 -%}
            {%- set recorded = found.rows[0][0] -%}
            {{ return([] if recorded == 'all' else recorded.split(', ')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(var('partitions', [])) }}
{% endmacro %}
