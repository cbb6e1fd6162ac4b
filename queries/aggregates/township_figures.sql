-- Derived table township_figures for one snapshot: every additive figure of the plan per township, plus a row with an
-- empty township_code for county-level units, so pages sum a few rows instead of scanning registers. Runs at write time
-- over that snapshot's own files (no snapshot_date column), after the derived table community_staffing of the same
-- snapshot; see socialwork/data/storage/aggregates.py.
-- Generated from the figures declared in socialwork/data/contract/plan_figures.py (PLAN_FIGURES) by `python -m
-- socialwork generate`: change the declarations, not this file.
-- Parameters: $snapshot_date DATE (the as-of date: "this year" runs from 1 January of its year to it), $min_certified
--   INTEGER (certified social workers an urban community should have: the plan's standard).
-- Columns: township_code, social_workers, certified_workers, certified_assistant, certified_intermediate,
--   certified_senior, certified_gained_this_year, active_organisations, urban_communities,
--   certified_in_urban_communities, urban_communities_2plus, urban_communities_0_certified,
--   urban_communities_1_certified, urban_communities_3plus_certified, urban_shortfall, townships, townships_served,
--   communities, communities_served, stations_operating, stations_star_rated, brand_projects, station_resident_workers,
--   community_workers, certified_community_workers, posts, posts_filled, posts_new_this_year, exam_tutoring_sessions,
--   exam_tutoring_attendees, supervision_sessions, training_sessions, talent_cards_this_year, talent_cards_total,
--   awards_this_year, organisation_staff, organisation_professional_staff, purchase_projects, purchase_budget_wan
with scope as (
    select township_code from townships
    union all
    select null
),

people_figures as (
    select
        township_code,
        count(*) as social_workers,
        count(*) filter (where certificate_level <> 'none') as certified_workers,
        count(*) filter (where certificate_level = 'assistant') as certified_assistant,
        count(*) filter (where certificate_level = 'intermediate') as certified_intermediate,
        count(*) filter (where certificate_level = 'senior') as certified_senior,
        count(*) filter (where certificate_level <> 'none' and first_certified_date between date_trunc('year',
            $snapshot_date::date) and $snapshot_date)
            as certified_gained_this_year,
        count(*) filter (where employer_type = 'community') as community_workers,
        count(*) filter (where employer_type = 'community' and certificate_level <> 'none')
            as certified_community_workers,
        count(*) filter (where talent_card_date between date_trunc('year', $snapshot_date::date) and $snapshot_date)
            as talent_cards_this_year,
        count(talent_card_date) as talent_cards_total,
        count(*) filter (where award_year = year($snapshot_date::date)) as awards_this_year
    from people
    group by township_code
),

organisations_figures as (
    select
        township_code,
        count(*) as active_organisations,
        sum(staff) as organisation_staff,
        sum(professional_staff) as organisation_professional_staff
    from organisations
    where status = 'active'
    group by township_code
),

community_staffing_figures as (
    select
        township_code,
        count(*) filter (where community_kind = 'urban_community') as urban_communities,
        sum(certified_workers) filter (where community_kind = 'urban_community') as certified_in_urban_communities,
        count(*) filter (where community_kind = 'urban_community' and certified_workers >= $min_certified)
            as urban_communities_2plus,
        count(*) filter (where community_kind = 'urban_community' and certified_workers = 0)
            as urban_communities_0_certified,
        count(*) filter (where community_kind = 'urban_community' and certified_workers = 1)
            as urban_communities_1_certified,
        count(*) filter (where community_kind = 'urban_community' and certified_workers >= 3)
            as urban_communities_3plus_certified,
        sum(greatest($min_certified - certified_workers, 0)) filter (where community_kind = 'urban_community')
            as urban_shortfall,
        count(*) as communities,
        count(*) filter (where social_workers > 0) as communities_served
    from community_staffing
    group by township_code
),

townships_figures as (
    select
        township_code,
        count(*) as townships,
        count(*) filter (where has_station) as stations_operating,
        count(*) filter (where has_station and station_stars > 0) as stations_star_rated,
        count(brand_project) filter (where has_station) as brand_projects,
        sum(station_resident_workers) as station_resident_workers
    from townships
    group by township_code
),

posts_figures as (
    select
        township_code,
        count(*) as posts,
        count(*) filter (where is_filled) as posts_filled,
        count(*) filter (where created_date between date_trunc('year', $snapshot_date::date) and $snapshot_date)
            as posts_new_this_year
    from posts
    group by township_code
),

activities_figures as (
    select
        township_code,
        count(*) filter (where activity_kind = 'exam_tutoring') as exam_tutoring_sessions,
        sum(attendees) filter (where activity_kind = 'exam_tutoring') as exam_tutoring_attendees,
        count(*) filter (where activity_kind = 'supervision') as supervision_sessions,
        count(*) filter (where activity_kind = 'training') as training_sessions
    from activities
    where activity_date between date_trunc('year', $snapshot_date::date) and $snapshot_date
    group by township_code
),

purchases_figures as (
    select
        township_code,
        count(*) as purchase_projects,
        sum(budget_wan) as purchase_budget_wan
    from purchases
    where plan_year = year($snapshot_date::date)
    group by township_code
),

summed as (
    -- A township without rows in a source counts 0 there; the county-level row is the one with no township.
    select
        s.township_code,
        coalesce(people_figures.social_workers, 0) as social_workers,
        coalesce(people_figures.certified_workers, 0) as certified_workers,
        coalesce(people_figures.certified_assistant, 0) as certified_assistant,
        coalesce(people_figures.certified_intermediate, 0) as certified_intermediate,
        coalesce(people_figures.certified_senior, 0) as certified_senior,
        coalesce(people_figures.certified_gained_this_year, 0) as certified_gained_this_year,
        coalesce(organisations_figures.active_organisations, 0) as active_organisations,
        coalesce(community_staffing_figures.urban_communities, 0) as urban_communities,
        coalesce(community_staffing_figures.certified_in_urban_communities, 0) as certified_in_urban_communities,
        coalesce(community_staffing_figures.urban_communities_2plus, 0) as urban_communities_2plus,
        coalesce(community_staffing_figures.urban_communities_0_certified, 0) as urban_communities_0_certified,
        coalesce(community_staffing_figures.urban_communities_1_certified, 0) as urban_communities_1_certified,
        coalesce(community_staffing_figures.urban_communities_3plus_certified, 0) as urban_communities_3plus_certified,
        coalesce(community_staffing_figures.urban_shortfall, 0) as urban_shortfall,
        coalesce(townships_figures.townships, 0) as townships,
        coalesce(community_staffing_figures.communities, 0) as communities,
        coalesce(community_staffing_figures.communities_served, 0) as communities_served,
        coalesce(townships_figures.stations_operating, 0) as stations_operating,
        coalesce(townships_figures.stations_star_rated, 0) as stations_star_rated,
        coalesce(townships_figures.brand_projects, 0) as brand_projects,
        coalesce(townships_figures.station_resident_workers, 0) as station_resident_workers,
        coalesce(people_figures.community_workers, 0) as community_workers,
        coalesce(people_figures.certified_community_workers, 0) as certified_community_workers,
        coalesce(posts_figures.posts, 0) as posts,
        coalesce(posts_figures.posts_filled, 0) as posts_filled,
        coalesce(posts_figures.posts_new_this_year, 0) as posts_new_this_year,
        coalesce(activities_figures.exam_tutoring_sessions, 0) as exam_tutoring_sessions,
        coalesce(activities_figures.exam_tutoring_attendees, 0) as exam_tutoring_attendees,
        coalesce(activities_figures.supervision_sessions, 0) as supervision_sessions,
        coalesce(activities_figures.training_sessions, 0) as training_sessions,
        coalesce(people_figures.talent_cards_this_year, 0) as talent_cards_this_year,
        coalesce(people_figures.talent_cards_total, 0) as talent_cards_total,
        coalesce(people_figures.awards_this_year, 0) as awards_this_year,
        coalesce(organisations_figures.organisation_staff, 0) as organisation_staff,
        coalesce(organisations_figures.organisation_professional_staff, 0) as organisation_professional_staff,
        coalesce(purchases_figures.purchase_projects, 0) as purchase_projects,
        coalesce(purchases_figures.purchase_budget_wan, 0) as purchase_budget_wan
    from scope s
    left join people_figures on people_figures.township_code is not distinct from s.township_code
    left join organisations_figures on organisations_figures.township_code is not distinct from s.township_code
    left join community_staffing_figures on community_staffing_figures.township_code is not distinct from
        s.township_code
    left join townships_figures on townships_figures.township_code is not distinct from s.township_code
    left join posts_figures on posts_figures.township_code is not distinct from s.township_code
    left join activities_figures on activities_figures.township_code is not distinct from s.township_code
    left join purchases_figures on purchases_figures.township_code is not distinct from s.township_code
)

select
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
    case when townships = 1 and social_workers > 0 then 1 else 0 end as townships_served,
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
from summed
order by township_code nulls last
