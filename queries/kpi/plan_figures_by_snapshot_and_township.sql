-- The plan's additive figures of every township within $scope, one row per township and snapshot between $from_date and
-- $to_date, from township_figures, the derived table written with each snapshot (data/storage/aggregates.py);
-- county-level units (no township) left out. A township filter sums the chosen townships' rows at each of their
-- county's snapshots (socialwork/figures/metrics/levels.py: a date where none of them has a row counts 0): read once
-- per county, each township picked in it is a sum, not a query to plan. The whole county reads
-- plan_figures_by_snapshot.
-- Generated from the figures declared in socialwork/data/contract/plan_figures.py (PLAN_FIGURES) by `python -m
-- socialwork generate`: change the declarations, not this file.
-- Parameters: $from_date DATE, $to_date DATE, $scope VARCHAR (a county's code; NULL in a single county's store).
-- Columns: snapshot_date, township_code, social_workers, certified_workers, certified_assistant,
--   certified_intermediate, certified_senior, certified_gained_this_year, active_organisations, urban_communities,
--   certified_in_urban_communities, urban_communities_2plus, urban_communities_0_certified,
--   urban_communities_1_certified, urban_communities_3plus_certified, urban_shortfall, townships, townships_served,
--   communities, communities_served, stations_operating, stations_star_rated, brand_projects, station_resident_workers,
--   community_workers, certified_community_workers, posts, posts_filled, posts_new_this_year, exam_tutoring_sessions,
--   exam_tutoring_attendees, supervision_sessions, training_sessions, talent_cards_this_year, talent_cards_total,
--   awards_this_year, organisation_staff, organisation_professional_staff, purchase_projects, purchase_budget_wan
select
    snapshot_date,
    township_code,
    social_workers,
    certified_workers,
    certified_assistant,
    certified_intermediate,
    certified_senior,
    certified_gained_this_year,
    active_organisations,
    urban_communities,
    certified_in_urban_communities,
    urban_communities_2plus,
    urban_communities_0_certified,
    urban_communities_1_certified,
    urban_communities_3plus_certified,
    urban_shortfall,
    townships,
    townships_served,
    communities,
    communities_served,
    stations_operating,
    stations_star_rated,
    brand_projects,
    station_resident_workers,
    community_workers,
    certified_community_workers,
    posts,
    posts_filled,
    posts_new_this_year,
    exam_tutoring_sessions,
    exam_tutoring_attendees,
    supervision_sessions,
    training_sessions,
    talent_cards_this_year,
    talent_cards_total,
    awards_this_year,
    organisation_staff,
    organisation_professional_staff,
    purchase_projects,
    purchase_budget_wan
from township_figures
where snapshot_date between $from_date and $to_date
  and township_code is not null
  and ($scope is null or starts_with(township_code, $scope))
order by snapshot_date, township_code
