-- The plan's raw figures for the whole county, one row per snapshot between $from_date and $to_date,
-- from county_figures, the derived table written with each snapshot (socialwork/data/aggregates.py). County-level
-- units (no township) count here. A filter on townships reads plan_figures_by_snapshot_in_townships instead:
-- two plain queries plan in a fraction of the time one query with both branches takes.
-- Parameters: $from_date DATE, $to_date DATE.
-- Columns: snapshot_date, certified_workers, certified_gained_this_year, social_workers,
--   community_workers, certified_community_workers, talent_cards_this_year, talent_cards_total,
--   awards_this_year, townships, townships_served, communities, communities_served,
--   urban_communities, certified_in_urban_communities, urban_communities_2plus, stations_operating,
--   stations_star_rated, brand_projects, station_resident_workers, posts, posts_filled,
--   posts_new_this_year, active_organisations, organisation_staff, organisation_professional_staff,
--   exam_tutoring_sessions, exam_tutoring_attendees, supervision_sessions, training_sessions,
--   purchase_projects, purchase_budget_wan
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
from county_figures
where snapshot_date between $from_date and $to_date
order by snapshot_date
