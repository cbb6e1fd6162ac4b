-- The plan's additive figures of every division of one level within $scope (the provinces, cities or counties, whose
-- codes have $digits digits), each the sum over its counties that have the snapshot $snapshot_date: the level below a
-- province or a store of many counties (socialwork/figures/hierarchy.py). A division some of whose counties lack the
-- month says how many (counties_reporting < counties) and which (missing_counties); one where none has it has empty
-- figures, never zeros, and its counties' latest snapshot. A figure empty in a reporting county (its register column
-- came later) is empty in the sum.
-- Generated from the figures declared in socialwork/data/contract/plan_figures.py (PLAN_FIGURES) by `python -m
-- socialwork generate`: change the declarations, not this file.
-- Parameters: $snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = the whole store), $digits
--   INTEGER (the level's code length: 2 provinces, 4 cities, 6 counties).
-- Columns: division_code, division_name, counties, counties_reporting, latest_snapshot_date, missing_counties,
--   social_workers, certified_workers, certified_assistant, certified_intermediate, certified_senior,
--   certified_gained_this_year, active_organisations, urban_communities, certified_in_urban_communities,
--   urban_communities_2plus, urban_communities_0_certified, urban_communities_1_certified,
--   urban_communities_3plus_certified, urban_shortfall, townships, townships_served, communities, communities_served,
--   stations_operating, stations_star_rated, brand_projects, station_resident_workers, community_workers,
--   certified_community_workers, posts, posts_filled, posts_new_this_year, exam_tutoring_sessions,
--   exam_tutoring_attendees, supervision_sessions, training_sessions, talent_cards_this_year, talent_cards_total,
--   awards_this_year, organisation_staff, organisation_professional_staff, purchase_projects, purchase_budget_wan
with places as (
    select division_code, division_name
    from divisions
    where length(division_code) = $digits and division_level <> 'township'
      and ($scope is null or starts_with(division_code, $scope))
),

counties as (
    select division_code as county_code, division_name as county_name, left(division_code, $digits) as place_code
    from divisions
    where division_level = 'county'
      and ($scope is null or starts_with(division_code, $scope))
),

latest as (
    select county_code, max(snapshot_date) as latest_snapshot_date
    from county_figures
    where snapshot_date <= $snapshot_date
    group by county_code
),

reported as (
    select *
    from county_figures
    where snapshot_date = $snapshot_date
)

select
    p.division_code,
    p.division_name,
    count(c.county_code) as counties,
    count(r.county_code) as counties_reporting,
    max(l.latest_snapshot_date) as latest_snapshot_date,
    string_agg(c.county_name, '、' order by c.county_code) filter (where c.county_code is not null and r.county_code is
        null) as missing_counties,
    if(count(r.social_workers) = count(r.county_code), sum(r.social_workers)::INTEGER, null) as social_workers,
    if(count(r.certified_workers) = count(r.county_code), sum(r.certified_workers)::INTEGER, null) as certified_workers,
    if(count(r.certified_assistant) = count(r.county_code), sum(r.certified_assistant)::INTEGER, null) as
        certified_assistant,
    if(count(r.certified_intermediate) = count(r.county_code), sum(r.certified_intermediate)::INTEGER, null) as
        certified_intermediate,
    if(count(r.certified_senior) = count(r.county_code), sum(r.certified_senior)::INTEGER, null) as certified_senior,
    if(count(r.certified_gained_this_year) = count(r.county_code), sum(r.certified_gained_this_year)::INTEGER, null) as
        certified_gained_this_year,
    if(count(r.active_organisations) = count(r.county_code), sum(r.active_organisations)::INTEGER, null) as
        active_organisations,
    if(count(r.urban_communities) = count(r.county_code), sum(r.urban_communities)::INTEGER, null) as urban_communities,
    if(count(r.certified_in_urban_communities) = count(r.county_code), sum(r.certified_in_urban_communities)::INTEGER,
        null) as certified_in_urban_communities,
    if(count(r.urban_communities_2plus) = count(r.county_code), sum(r.urban_communities_2plus)::INTEGER, null) as
        urban_communities_2plus,
    if(count(r.urban_communities_0_certified) = count(r.county_code), sum(r.urban_communities_0_certified)::INTEGER,
        null) as urban_communities_0_certified,
    if(count(r.urban_communities_1_certified) = count(r.county_code), sum(r.urban_communities_1_certified)::INTEGER,
        null) as urban_communities_1_certified,
    if(count(r.urban_communities_3plus_certified) = count(r.county_code),
        sum(r.urban_communities_3plus_certified)::INTEGER, null) as urban_communities_3plus_certified,
    if(count(r.urban_shortfall) = count(r.county_code), sum(r.urban_shortfall)::INTEGER, null) as urban_shortfall,
    if(count(r.townships) = count(r.county_code), sum(r.townships)::INTEGER, null) as townships,
    if(count(r.townships_served) = count(r.county_code), sum(r.townships_served)::INTEGER, null) as townships_served,
    if(count(r.communities) = count(r.county_code), sum(r.communities)::INTEGER, null) as communities,
    if(count(r.communities_served) = count(r.county_code), sum(r.communities_served)::INTEGER, null) as
        communities_served,
    if(count(r.stations_operating) = count(r.county_code), sum(r.stations_operating)::INTEGER, null) as
        stations_operating,
    if(count(r.stations_star_rated) = count(r.county_code), sum(r.stations_star_rated)::INTEGER, null) as
        stations_star_rated,
    if(count(r.brand_projects) = count(r.county_code), sum(r.brand_projects)::INTEGER, null) as brand_projects,
    if(count(r.station_resident_workers) = count(r.county_code), sum(r.station_resident_workers)::INTEGER, null) as
        station_resident_workers,
    if(count(r.community_workers) = count(r.county_code), sum(r.community_workers)::INTEGER, null) as community_workers,
    if(count(r.certified_community_workers) = count(r.county_code), sum(r.certified_community_workers)::INTEGER, null)
        as certified_community_workers,
    if(count(r.posts) = count(r.county_code), sum(r.posts)::INTEGER, null) as posts,
    if(count(r.posts_filled) = count(r.county_code), sum(r.posts_filled)::INTEGER, null) as posts_filled,
    if(count(r.posts_new_this_year) = count(r.county_code), sum(r.posts_new_this_year)::INTEGER, null) as
        posts_new_this_year,
    if(count(r.exam_tutoring_sessions) = count(r.county_code), sum(r.exam_tutoring_sessions)::INTEGER, null) as
        exam_tutoring_sessions,
    if(count(r.exam_tutoring_attendees) = count(r.county_code), sum(r.exam_tutoring_attendees)::INTEGER, null) as
        exam_tutoring_attendees,
    if(count(r.supervision_sessions) = count(r.county_code), sum(r.supervision_sessions)::INTEGER, null) as
        supervision_sessions,
    if(count(r.training_sessions) = count(r.county_code), sum(r.training_sessions)::INTEGER, null) as training_sessions,
    if(count(r.talent_cards_this_year) = count(r.county_code), sum(r.talent_cards_this_year)::INTEGER, null) as
        talent_cards_this_year,
    if(count(r.talent_cards_total) = count(r.county_code), sum(r.talent_cards_total)::INTEGER, null) as
        talent_cards_total,
    if(count(r.awards_this_year) = count(r.county_code), sum(r.awards_this_year)::INTEGER, null) as awards_this_year,
    if(count(r.organisation_staff) = count(r.county_code), sum(r.organisation_staff)::INTEGER, null) as
        organisation_staff,
    if(count(r.organisation_professional_staff) = count(r.county_code), sum(r.organisation_professional_staff)::INTEGER,
        null) as organisation_professional_staff,
    if(count(r.purchase_projects) = count(r.county_code), sum(r.purchase_projects)::INTEGER, null) as purchase_projects,
    if(count(r.purchase_budget_wan) = count(r.county_code), sum(r.purchase_budget_wan)::DOUBLE, null) as
        purchase_budget_wan
from places p
left join counties c on c.place_code = p.division_code
left join reported r on r.county_code = c.county_code
left join latest l on l.county_code = c.county_code
group by p.division_code, p.division_name
order by p.division_code
