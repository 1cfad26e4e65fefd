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


{#- The releases of the partitions being rebuilt (stg_raw__releases, which the calling model reads) whose history
    `published` (published_unit_history()) does not hold yet, as a list of SQL literals for `release_id in (...)`: listed when the model runs, so the planner sees the
    rows a correction reads (an anti-join with the published millions of rows was estimated at one row and planned
    as nested loops over every score). An index lookup per release (the history's key starts with release_id). -#}
{% macro unpublished_unit_releases(published) %}
    {%- set found = run_query("select r.release_id from " ~ ref('stg_raw__releases') ~ " as r where "
                              ~ partition_filter('r.index_code', 'r.year') ~ " and not exists (select 1 from "
                              ~ published ~ " as held where held.release_id = r.release_id) order by 1") -%}
    {%- set listed = [] -%}
    {%- for row in found.rows -%}
        {%- do listed.append("'" ~ (row[0] | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(listed | join(', ') if listed else 'null') }}
{% endmacro %}


{#- The releases of the partitions being rebuilt that raw holds now (stg_raw__releases; the calling model declares
    it with a depends_on comment), as SQL literals for `release_id in (...)`: the published history is read by
    its key (release_id first) instead of scanned whole for the partitions' rows, and a release withdrawn from raw
    is not read back. -#}
{% macro partition_releases() %}
    {%- set found = run_query("select r.release_id from " ~ ref('stg_raw__releases') ~ " as r where "
                              ~ partition_filter('r.index_code', 'r.year') ~ " order by 1") -%}
    {%- set listed = [] -%}
    {%- for row in found.rows -%}
        {%- do listed.append("'" ~ (row[0] | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return(listed | join(', ') if listed else 'null') }}
{% endmacro %}
