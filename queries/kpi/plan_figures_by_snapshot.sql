-- The plan's raw figures, one row per snapshot between $from_date and $to_date, summed from the
-- derived table township_figures (written with each snapshot; see socialwork/aggregates.py).
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes; NULL = whole county).
-- The row for county-level units (empty township) counts only when $townships is NULL. Rows out of scope
-- count as zero rather than being dropped, so every snapshot keeps its row whatever the filter.
-- Columns: snapshot_date, certified_workers, certified_gained_this_year, social_workers,
--   community_workers, certified_community_workers, talent_cards_this_year, talent_cards_total,
--   awards_this_year, townships, townships_served, communities, communities_served,
--   urban_communities, certified_in_urban_communities, urban_communities_2plus, stations_operating,
--   stations_star_rated, brand_projects, station_resident_workers, posts, posts_filled,
--   posts_new_this_year, active_organisations, organisation_staff, organisation_professional_staff,
--   exam_tutoring_sessions, exam_tutoring_attendees, supervision_sessions, training_sessions,
--   purchase_projects, purchase_budget_wan
with scoped_figures as (
    select
        *,
        case when $townships is null or list_contains($townships, township_code) then 1 else 0 end as in_scope
    from township_figures
    where snapshot_date between $from_date and $to_date
)

select
    snapshot_date,
    sum(certified_workers * in_scope)::bigint as certified_workers,
    sum(certified_gained_this_year * in_scope)::bigint as certified_gained_this_year,
    sum(social_workers * in_scope)::bigint as social_workers,
    sum(community_workers * in_scope)::bigint as community_workers,
    sum(certified_community_workers * in_scope)::bigint as certified_community_workers,
    sum(talent_cards_this_year * in_scope)::bigint as talent_cards_this_year,
    sum(talent_cards_total * in_scope)::bigint as talent_cards_total,
    sum(awards_this_year * in_scope)::bigint as awards_this_year,
    sum(townships * in_scope)::bigint as townships,
    sum(townships_served * in_scope)::bigint as townships_served,
    sum(communities * in_scope)::bigint as communities,
    sum(communities_served * in_scope)::bigint as communities_served,
    sum(urban_communities * in_scope)::bigint as urban_communities,
    sum(certified_in_urban_communities * in_scope)::bigint as certified_in_urban_communities,
    sum(urban_communities_2plus * in_scope)::bigint as urban_communities_2plus,
    sum(stations_operating * in_scope)::bigint as stations_operating,
    sum(stations_star_rated * in_scope)::bigint as stations_star_rated,
    sum(brand_projects * in_scope)::bigint as brand_projects,
    sum(station_resident_workers * in_scope)::bigint as station_resident_workers,
    sum(posts * in_scope)::bigint as posts,
    sum(posts_filled * in_scope)::bigint as posts_filled,
    sum(posts_new_this_year * in_scope)::bigint as posts_new_this_year,
    sum(active_organisations * in_scope)::bigint as active_organisations,
    sum(organisation_staff * in_scope)::bigint as organisation_staff,
    sum(organisation_professional_staff * in_scope)::bigint as organisation_professional_staff,
    sum(exam_tutoring_sessions * in_scope)::bigint as exam_tutoring_sessions,
    sum(exam_tutoring_attendees * in_scope)::bigint as exam_tutoring_attendees,
    sum(supervision_sessions * in_scope)::bigint as supervision_sessions,
    sum(training_sessions * in_scope)::bigint as training_sessions,
    sum(purchase_projects * in_scope)::bigint as purchase_projects,
    sum(purchase_budget_wan * in_scope) as purchase_budget_wan
from scoped_figures
group by snapshot_date
order by snapshot_date
