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
    select snapshot_date, sum(columns(* exclude (snapshot_date, township_code)))
    from township_figures
    where snapshot_date between $from_date and $to_date
      and list_contains($townships, township_code)
    group by snapshot_date
)

select
    d.snapshot_date,
    -- A figure the county has no data for at a date (its register column came later) stays empty there.
    case when d.social_workers is not null then coalesce(t.social_workers, 0) end as social_workers,
    case when d.certified_workers is not null then coalesce(t.certified_workers, 0) end as certified_workers,
    case when d.certified_assistant is not null then coalesce(t.certified_assistant, 0) end as certified_assistant,
    case when d.certified_intermediate is not null then coalesce(t.certified_intermediate, 0) end as
        certified_intermediate,
    case when d.certified_senior is not null then coalesce(t.certified_senior, 0) end as certified_senior,
    case when d.certified_gained_this_year is not null then coalesce(t.certified_gained_this_year, 0) end as
        certified_gained_this_year,
    case when d.active_organisations is not null then coalesce(t.active_organisations, 0) end as active_organisations,
    case when d.urban_communities is not null then coalesce(t.urban_communities, 0) end as urban_communities,
    case when d.certified_in_urban_communities is not null then coalesce(t.certified_in_urban_communities, 0) end as
        certified_in_urban_communities,
    case when d.urban_communities_2plus is not null then coalesce(t.urban_communities_2plus, 0) end as
        urban_communities_2plus,
    case when d.urban_communities_0_certified is not null then coalesce(t.urban_communities_0_certified, 0) end as
        urban_communities_0_certified,
    case when d.urban_communities_1_certified is not null then coalesce(t.urban_communities_1_certified, 0) end as
        urban_communities_1_certified,
    case when d.urban_communities_3plus_certified is not null then coalesce(t.urban_communities_3plus_certified, 0) end
        as urban_communities_3plus_certified,
    case when d.urban_shortfall is not null then coalesce(t.urban_shortfall, 0) end as urban_shortfall,
    case when d.townships is not null then coalesce(t.townships, 0) end as townships,
    case when d.townships_served is not null then coalesce(t.townships_served, 0) end as townships_served,
    case when d.communities is not null then coalesce(t.communities, 0) end as communities,
    case when d.communities_served is not null then coalesce(t.communities_served, 0) end as communities_served,
    case when d.stations_operating is not null then coalesce(t.stations_operating, 0) end as stations_operating,
    case when d.stations_star_rated is not null then coalesce(t.stations_star_rated, 0) end as stations_star_rated,
    case when d.brand_projects is not null then coalesce(t.brand_projects, 0) end as brand_projects,
    case when d.station_resident_workers is not null then coalesce(t.station_resident_workers, 0) end as
        station_resident_workers,
    case when d.community_workers is not null then coalesce(t.community_workers, 0) end as community_workers,
    case when d.certified_community_workers is not null then coalesce(t.certified_community_workers, 0) end as
        certified_community_workers,
    case when d.posts is not null then coalesce(t.posts, 0) end as posts,
    case when d.posts_filled is not null then coalesce(t.posts_filled, 0) end as posts_filled,
    case when d.posts_new_this_year is not null then coalesce(t.posts_new_this_year, 0) end as posts_new_this_year,
    case when d.exam_tutoring_sessions is not null then coalesce(t.exam_tutoring_sessions, 0) end as
        exam_tutoring_sessions,
    case when d.exam_tutoring_attendees is not null then coalesce(t.exam_tutoring_attendees, 0) end as
        exam_tutoring_attendees,
    case when d.supervision_sessions is not null then coalesce(t.supervision_sessions, 0) end as supervision_sessions,
    case when d.training_sessions is not null then coalesce(t.training_sessions, 0) end as training_sessions,
    case when d.talent_cards_this_year is not null then coalesce(t.talent_cards_this_year, 0) end as
        talent_cards_this_year,
    case when d.talent_cards_total is not null then coalesce(t.talent_cards_total, 0) end as talent_cards_total,
    case when d.awards_this_year is not null then coalesce(t.awards_this_year, 0) end as awards_this_year,
    case when d.organisation_staff is not null then coalesce(t.organisation_staff, 0) end as organisation_staff,
    case when d.organisation_professional_staff is not null then coalesce(t.organisation_professional_staff, 0) end as
        organisation_professional_staff,
    case when d.purchase_projects is not null then coalesce(t.purchase_projects, 0) end as purchase_projects,
    case when d.purchase_budget_wan is not null then coalesce(t.purchase_budget_wan, 0) end as purchase_budget_wan
from county_figures d
left join chosen_townships t using (snapshot_date)
where d.snapshot_date between $from_date and $to_date
order by d.snapshot_date
