-- The plan's additive figures summed over the chosen townships, one row per snapshot between $from_date and $to_date,
-- from township_figures, the derived table written with each snapshot (socialwork/data/aggregates.py). Every snapshot
-- keeps its row (zeros when the chosen townships have none at a date); county-level units (no township) never count.
-- The whole county reads plan_figures_by_snapshot.
-- Generated from the figures declared in socialwork/data/contract.py (PLAN_FIGURES) by `python -m socialwork generate`:
-- change the declarations, not this file.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes).
-- Columns: snapshot_date, social_workers, certified_workers, certified_assistant, certified_intermediate,
--   certified_senior, certified_gained_this_year, active_organisations, urban_communities,
--   certified_in_urban_communities, urban_communities_2plus, urban_communities_0_certified,
--   urban_communities_1_certified, urban_communities_3plus_certified, urban_shortfall, townships, townships_served,
--   communities, communities_served, stations_operating, stations_star_rated, brand_projects, station_resident_workers,
--   community_workers, certified_community_workers, posts, posts_filled, posts_new_this_year, exam_tutoring_sessions,
--   exam_tutoring_attendees, supervision_sessions, training_sessions, talent_cards_this_year, talent_cards_total,
--   awards_this_year, organisation_staff, organisation_professional_staff, purchase_projects, purchase_budget_wan
with chosen_townships as (
    select snapshot_date, true as found, sum(columns(* exclude (snapshot_date, township_code, county_code)))
    from township_figures
    where snapshot_date between $from_date and $to_date
      and list_contains($townships, township_code)
    group by snapshot_date
),

their_counties as (
    select distinct county_code
    from township_figures
    where snapshot_date between $from_date and $to_date
      and list_contains($townships, township_code)
),

their_dates as (
    -- The dates their counties have a snapshot (in a store of many counties each has its own).
    select distinct snapshot_date
    from county_figures
    where snapshot_date between $from_date and $to_date
      and (county_code in (select county_code from their_counties)
        or not exists (select 1 from their_counties where county_code is not null))
),

every_date as (
    -- A date where the chosen townships have no row counts 0; a figure without data at a date (its register
    -- column came later) stays empty there.
    select d.snapshot_date, if(t.found, columns(t.* exclude (snapshot_date, found)), 0)
    from their_dates d
    left join chosen_townships t using (snapshot_date)
)

select
    snapshot_date,
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
from every_date
order by snapshot_date
