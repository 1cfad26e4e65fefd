{#- Statistics for a table the moment it is built: the models after it in the same run join it, and a new table
    without statistics is planned as if nearly empty (a hash of millions of rows spilled to disk instead of one of
    a few thousand units). A post-hook of every mart table (dbt_project.yml); views have nothing to analyse. -#}
{% macro analyze_table() %}
    {%- if model.config.materialized == 'table' -%}
        analyze {{ this }}
    {%- endif -%}
{% endmacro %}
