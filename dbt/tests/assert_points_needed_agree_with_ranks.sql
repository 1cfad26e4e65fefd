-- The gap in points and the published rank tell the same story: a unit whose published rank is the rank its score
-- gives among the others (computed_rank) has reached its target rank exactly when its score reaches the threshold,
-- and never needs a negative number of points.
select points.target_key, points.rank, points.target_rank, points.score, points.threshold_score, points.points_needed
from {{ ref('fct_points_needed') }} as points
inner join {{ ref('fct_component_score') }} as scores
    on scores.release_id = points.release_id
    and scores.unit_code = points.unit_code
    and scores.component_code = points.component_code
where points.points_needed < 0
    or (
        scores.rank = scores.computed_rank
        and points.threshold_score is not null
        and points.is_reached <> (points.score >= points.threshold_score)
    )
