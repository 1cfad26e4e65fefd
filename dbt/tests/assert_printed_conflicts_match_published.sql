-- The candidate a conflicts.csv marks as published is the score or rank fct_component_score publishes.
select conflicts.release_id, conflicts.unit_code, conflicts.component_code, conflicts.measure
from {{ ref('fct_printed_conflict') }} as conflicts
inner join {{ ref('fct_component_score') }} as scores
    on
        scores.release_id = conflicts.release_id
        and scores.unit_code = conflicts.unit_code
        and scores.component_code = conflicts.component_code
where
    conflicts.score_kind = ''
    and conflicts.is_published
    and case conflicts.measure
        when 'score' then scores.published_score is distinct from conflicts.candidate_value
        else scores.published_rank is distinct from conflicts.candidate_value
    end
