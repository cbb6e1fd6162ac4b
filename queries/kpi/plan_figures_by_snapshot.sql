-- The plan's raw figures, one row per snapshot between $from_date and $to_date, read from the derived
-- tables written with each snapshot (socialwork/aggregates.py): county_figures for the whole county,
-- township_figures summed for chosen townships. DuckDB drops the branch a NULL or non-NULL $townships rules out.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes; NULL = whole county).
-- County-level units (empty township) count only when $townships is NULL. Every snapshot keeps its row
-- whatever the filter (zeros when the chosen townships have no row at a date).
-- Columns: snapshot_date, certified_workers, certified_gained_this_year, social_workers,
--   community_workers, certified_community_workers, talent_cards_this_year, talent_cards_total,
--   awards_this_year, townships, townships_served, communities, communities_served,
--   urban_communities, certified_in_urban_communities, urban_communities_2plus, stations_operating,
--   stations_star_rated, brand_projects, station_resident_workers, posts, posts_filled,
--   posts_new_this_year, active_organisations, organisation_staff, organisation_professional_staff,
--   exam_tutoring_sessions, exam_tutoring_attendees, supervision_sessions, training_sessions,
--   purchase_projects, purchase_budget_wan
with county as (
    select *
    from county_figures
    where $townships is null and snapshot_date between $from_date and $to_date
),

chosen_townships as (
    select snapshot_date, sum(columns(* exclude (snapshot_date, township_code)))
    from township_figures
    where $townships is not null
      and snapshot_date between $from_date and $to_date
      and list_contains($townships, township_code)
    group by snapshot_date
),

township_dates as (
    select snapshot_date
    from county_figures
    where $townships is not null and snapshot_date between $from_date and $to_date
),

chosen_every_date as (
    select d.snapshot_date, coalesce(columns(t.* exclude (snapshot_date)), 0)
    from township_dates d
    left join chosen_townships t using (snapshot_date)
)

select
    snapshot_date,
    certified_workers,
    certified_gained_this_year,
    social_workers,
    community_workers,
    certified_community_workers,
    talent_cards_this_year,
    talent_cards_total,
    awards_this_year,
    townships,
    townships_served,
    communities,
    communities_served,
    urban_communities,
    certified_in_urban_communities,
    urban_communities_2plus,
    stations_operating,
    stations_star_rated,
    brand_projects,
    station_resident_workers,
    posts,
    posts_filled,
    posts_new_this_year,
    active_organisations,
    organisation_staff,
    organisation_professional_staff,
    exam_tutoring_sessions,
    exam_tutoring_attendees,
    supervision_sessions,
    training_sessions,
    purchase_projects,
    purchase_budget_wan
from (
    select * from county
    union all by name
    select * from chosen_every_date
)
order by snapshot_date
