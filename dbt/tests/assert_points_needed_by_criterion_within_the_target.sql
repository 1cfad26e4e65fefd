-- Every criterion a target counts lies under the target's component and lost what its maximum and score say.
select criteria.target_key, criteria.component_code, criteria.points_lost
from {{ ref('fct_points_needed_by_criterion') }} as criteria
inner join {{ ref('fct_points_needed') }} as targets on targets.target_key = criteria.target_key
where criteria.points_lost <> criteria.max_score - criteria.score
    or criteria.points_lost <= 0
    or (targets.level = 'field' and criteria.field_code <> targets.component_code)
    or (targets.level = 'criterion' and criteria.component_code <> targets.component_code)
