-- An announced correction must replace the value the current edition publishes; once the publisher
-- re-publishes (a new edition with another value) the correction is stale and the build fails loudly.
select corrections.file_path, corrections.source_row, corrections.old_score, scores.published_score
from {{ ref('stg_raw__announced_corrections') }} as corrections
left join {{ ref('int_component_scores__scored') }} as scores
    on scores.index_code = corrections.index_code
    and scores.year = corrections.year
    and scores.unit_code = corrections.unit_code
    and scores.component_code = corrections.component_code
where scores.published_score is distinct from corrections.old_score
