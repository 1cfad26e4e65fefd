{#- The published fct_unit_score_history (marts), when this run rebuilds some partitions and marts has one;
    none for a full refresh. A release's rows in it never change once published (a correction is a new
    release), so a partial run builds the history of new releases only and reads the earlier ones from here.
    Looked up when the model runs (not while dbt parses). -#}
{% macro published_unit_history() %}
    {%- if execute and partitions() | length > 0 -%}
        {{ return(adapter.get_relation(database=target.database, schema=var('published_schema'),
                                       identifier='fct_unit_score_history')) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}
