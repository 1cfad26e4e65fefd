{#- The unit version valid at the end of the facts' year (facts join the unit as it stood on 31 December). -#}
{% macro unit_valid_at_year_end(facts, units) %}
    {{ units }}.unit_code = {{ facts }}.unit_code
    and {{ units }}.unit_type = {{ facts }}.unit_type
    and make_date({{ facts }}.year, 12, 31)
        between {{ units }}.valid_from and coalesce({{ units }}.valid_to, date '9999-12-31')
{% endmacro %}

{#- 100 = best of the ranked units, 0 = last: compares ranks among different numbers of ranked units. -#}
{% macro rank_percentile(rank, rank_of) %}
    case when {{ rank }} is not null and {{ rank_of }} > 1
        then round(({{ rank_of }} - {{ rank }})::numeric / ({{ rank_of }} - 1) * 100, 2)
    end
{% endmacro %}
