-- The plan's additive figures for the whole county, one row per snapshot between $from_date and $to_date, from
-- county_figures, the derived table written with each snapshot (socialwork/data/storage/aggregates.py). County-level
-- units (no township) count here. A filter on townships sums rows of plan_figures_by_snapshot_and_township instead.
-- Generated from the figures declared in socialwork/data/contract/plan_figures.py (PLAN_FIGURES) by `python -m
-- socialwork generate`: change the declarations, not this file.
-- Parameters: $from_date DATE, $to_date DATE.
-- Columns: snapshot_date, social_workers, certified_workers, certified_assistant, certified_intermediate,
--   certified_senior, certified_gained_this_year, active_organisations, urban_communities,
--   certified_in_urban_communities, urban_communities_2plus, urban_communities_0_certified,
--   urban_communities_1_certified, urban_communities_3plus_certified, urban_shortfall, townships, townships_served,
--   communities, communities_served, stations_operating, stations_star_rated, brand_projects, station_resident_workers,
--   community_workers, certified_community_workers, posts, posts_filled, posts_new_this_year, exam_tutoring_sessions,
--   exam_tutoring_attendees, supervision_sessions, training_sessions, talent_cards_this_year, talent_cards_total,
--   awards_this_year, organisation_staff, organisation_professional_staff, purchase_projects, purchase_budget_wan
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
from county_figures
where snapshot_date between $from_date and $to_date
order by snapshot_date
