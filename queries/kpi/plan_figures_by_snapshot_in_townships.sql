-- The plan's raw figures summed over the chosen townships, one row per snapshot between $from_date and
-- $to_date, from township_figures, the derived table written with each snapshot (socialwork/data/aggregates.py).
-- Every snapshot keeps its row (zeros when the chosen townships have none at a date); county-level units
-- (no township) never count. The whole county reads plan_figures_by_snapshot.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes).
-- Columns: snapshot_date, certified_workers, certified_gained_this_year, social_workers,
--   community_workers, certified_community_workers, talent_cards_this_year, talent_cards_total,
--   awards_this_year, townships, townships_served, communities, communities_served,
--   urban_communities, certified_in_urban_communities, urban_communities_2plus, stations_operating,
--   stations_star_rated, brand_projects, station_resident_workers, posts, posts_filled,
--   posts_new_this_year, active_organisations, organisation_staff, organisation_professional_staff,
--   exam_tutoring_sessions, exam_tutoring_attendees, supervision_sessions, training_sessions,
--   purchase_projects, purchase_budget_wan
with chosen_townships as (
    select snapshot_date, sum(columns(* exclude (snapshot_date, township_code)))
    from township_figures
    where snapshot_date between $from_date and $to_date
      and list_contains($townships, township_code)
    group by snapshot_date
),

every_date as (
    select d.snapshot_date, coalesce(columns(t.* exclude (snapshot_date)), 0)
    from county_figures d
    left join chosen_townships t using (snapshot_date)
    where d.snapshot_date between $from_date and $to_date
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
from every_date
order by snapshot_date
