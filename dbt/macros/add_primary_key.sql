{#- A primary key built once the table is filled (one bulk index build) instead of a contract constraint, which
    PostgreSQL would maintain row by row during the insert: much faster on the millions of rows of the
    province's own index at national scale (bench/). Used as a post_hook; the contract still fixes the columns. -#}
{% macro add_primary_key(columns) %}
    alter table {{ this }} add primary key ({{ columns | join(', ') }})
{% endmacro %}
