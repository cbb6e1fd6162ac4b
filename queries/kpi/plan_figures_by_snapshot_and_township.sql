-- The plan's additive figures of every township within $scope, one row per township and snapshot between $from_date and
-- $to_date, from township_figures, the derived table written with each snapshot (socialwork/data/aggregates.py);
-- county-level units (no township) left out. Every snapshot of the scope's county has a row, with an empty
-- township_code where no township has one. A township filter sums the chosen townships' rows
-- (socialwork/figures/metrics/levels.py: a date without any counts 0): read once per county, each township picked in it
-- is a sum, not a query to plan. The whole county reads plan_figures_by_snapshot.
-- Generated from the figures declared in socialwork/data/contract.py (PLAN_FIGURES) by `python -m socialwork generate`:
-- change the declarations, not this file.
-- Parameters: $from_date DATE, $to_date DATE, $scope VARCHAR (a county's code; NULL in a single county's store).
-- Columns: snapshot_date, township_code, social_workers, certified_workers, certified_assistant,
--   certified_intermediate, certified_senior, certified_gained_this_year, active_organisations, urban_communities,
--   certified_in_urban_communities, urban_communities_2plus, urban_communities_0_certified,
--   urban_communities_1_certified, urban_communities_3plus_certified, urban_shortfall, townships, townships_served,
--   communities, communities_served, stations_operating, stations_star_rated, brand_projects, station_resident_workers,
--   community_workers, certified_community_workers, posts, posts_filled, posts_new_this_year, exam_tutoring_sessions,
--   exam_tutoring_attendees, supervision_sessions, training_sessions, talent_cards_this_year, talent_cards_total,
--   awards_this_year, organisation_staff, organisation_professional_staff, purchase_projects, purchase_budget_wan
with county_dates as (
    -- The dates the county has a snapshot (in a store of many counties each has its own).
    select distinct snapshot_date
    from county_figures
    where snapshot_date between $from_date and $to_date
      and ($scope is null or starts_with(county_code, left($scope, 6)))
),

its_townships as (
    select *
    from township_figures
    where snapshot_date between $from_date and $to_date
      and township_code is not null
      and ($scope is null or starts_with(township_code, $scope))
)

select
    snapshot_date,
    t.township_code,
    t.social_workers,
    t.certified_workers,
    t.certified_assistant,
    t.certified_intermediate,
    t.certified_senior,
    t.certified_gained_this_year,
    t.active_organisations,
    t.urban_communities,
    t.certified_in_urban_communities,
    t.urban_communities_2plus,
    t.urban_communities_0_certified,
    t.urban_communities_1_certified,
    t.urban_communities_3plus_certified,
    t.urban_shortfall,
    t.townships,
    t.townships_served,
    t.communities,
    t.communities_served,
    t.stations_operating,
    t.stations_star_rated,
    t.brand_projects,
    t.station_resident_workers,
    t.community_workers,
    t.certified_community_workers,
    t.posts,
    t.posts_filled,
    t.posts_new_this_year,
    t.exam_tutoring_sessions,
    t.exam_tutoring_attendees,
    t.supervision_sessions,
    t.training_sessions,
    t.talent_cards_this_year,
    t.talent_cards_total,
    t.awards_this_year,
    t.organisation_staff,
    t.organisation_professional_staff,
    t.purchase_projects,
    t.purchase_budget_wan
from county_dates
left join its_townships t using (snapshot_date)
order by snapshot_date, t.township_code
