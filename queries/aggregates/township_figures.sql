-- Derived table township_figures for one snapshot: every additive figure of the plan per township, plus a
-- row with an empty township_code for county-level units, so pages sum a few rows instead of scanning registers.
-- Runs at write time over that snapshot's own files (no snapshot_date column), after the derived table
-- community_staffing of the same snapshot; see socialwork/data/aggregates.py.
-- Parameters: $snapshot_date DATE (the as-of date: "this year" runs from 1 January of its year to it),
--   $min_certified INTEGER (certified social workers an urban community should have: the plan's 2).
-- Columns: as TOWNSHIP_FIGURES in socialwork/data/contract.py.
with scope as (
    select township_code, 1 as townships from townships
    union all
    select null, 0
),

people_figures as (
    select
        township_code,
        count(*) as social_workers,
        count(*) filter (where certificate_level <> 'none') as certified_workers,
        count(*) filter (where certificate_level = 'assistant') as certified_assistant,
        count(*) filter (where certificate_level = 'intermediate') as certified_intermediate,
        count(*) filter (where certificate_level = 'senior') as certified_senior,
        count(*) filter (
            where certificate_level <> 'none'
              and first_certified_date between date_trunc('year', $snapshot_date::date) and $snapshot_date
        ) as certified_gained_this_year,
        count(*) filter (where employer_type = 'community') as community_workers,
        count(*) filter (
            where employer_type = 'community' and certificate_level <> 'none'
        ) as certified_community_workers,
        count(*) filter (
            where talent_card_date between date_trunc('year', $snapshot_date::date) and $snapshot_date
        ) as talent_cards_this_year,
        count(talent_card_date) as talent_cards_total,
        count(*) filter (where award_year = year($snapshot_date::date)) as awards_this_year
    from people
    group by township_code
),

community_figures as (
    select
        township_code,
        count(*) as communities,
        count(*) filter (where social_workers > 0) as communities_served,
        count(*) filter (where community_kind = 'urban_community') as urban_communities,
        coalesce(sum(certified_workers) filter (where community_kind = 'urban_community'), 0)
            as certified_in_urban_communities,
        count(*) filter (where community_kind = 'urban_community' and certified_workers >= $min_certified)
            as urban_communities_2plus,
        count(*) filter (where community_kind = 'urban_community' and certified_workers = 0)
            as urban_communities_0_certified,
        count(*) filter (where community_kind = 'urban_community' and certified_workers = 1)
            as urban_communities_1_certified,
        count(*) filter (where community_kind = 'urban_community' and certified_workers >= 3)
            as urban_communities_3plus_certified,
        coalesce(
            sum(greatest($min_certified - certified_workers, 0)) filter (where community_kind = 'urban_community'), 0
        ) as urban_shortfall
    from community_staffing
    group by township_code
),

station_figures as (
    select
        township_code,
        count(*) filter (where has_station) as stations_operating,
        count(*) filter (where has_station and station_stars > 0) as stations_star_rated,
        count(brand_project) filter (where has_station) as brand_projects,
        coalesce(sum(station_resident_workers), 0) as station_resident_workers
    from townships
    group by township_code
),

post_figures as (
    select
        township_code,
        count(*) as posts,
        count(*) filter (where is_filled) as posts_filled,
        count(*) filter (
            where created_date between date_trunc('year', $snapshot_date::date) and $snapshot_date
        ) as posts_new_this_year
    from posts
    group by township_code
),

organisation_figures as (
    select
        township_code,
        count(*) as active_organisations,
        coalesce(sum(staff), 0) as organisation_staff,
        coalesce(sum(professional_staff), 0) as organisation_professional_staff
    from organisations
    where status = 'active'
    group by township_code
),

activity_figures as (
    select
        township_code,
        count(*) filter (where activity_kind = 'exam_tutoring') as exam_tutoring_sessions,
        coalesce(sum(attendees) filter (where activity_kind = 'exam_tutoring'), 0) as exam_tutoring_attendees,
        count(*) filter (where activity_kind = 'supervision') as supervision_sessions,
        count(*) filter (where activity_kind = 'training') as training_sessions
    from activities
    where activity_date between date_trunc('year', $snapshot_date::date) and $snapshot_date
    group by township_code
),

purchase_figures as (
    select township_code, count(*) as purchase_projects, coalesce(sum(budget_wan), 0) as purchase_budget_wan
    from purchases
    where plan_year = year($snapshot_date::date)
    group by township_code
)

select
    s.township_code,
    s.townships,
    case when s.townships = 1 and coalesce(pf.social_workers, 0) > 0 then 1 else 0 end as townships_served,
    coalesce(pf.social_workers, 0) as social_workers,
    coalesce(pf.certified_workers, 0) as certified_workers,
    coalesce(pf.certified_assistant, 0) as certified_assistant,
    coalesce(pf.certified_intermediate, 0) as certified_intermediate,
    coalesce(pf.certified_senior, 0) as certified_senior,
    coalesce(pf.certified_gained_this_year, 0) as certified_gained_this_year,
    coalesce(pf.community_workers, 0) as community_workers,
    coalesce(pf.certified_community_workers, 0) as certified_community_workers,
    coalesce(pf.talent_cards_this_year, 0) as talent_cards_this_year,
    coalesce(pf.talent_cards_total, 0) as talent_cards_total,
    coalesce(pf.awards_this_year, 0) as awards_this_year,
    coalesce(cf.communities, 0) as communities,
    coalesce(cf.communities_served, 0) as communities_served,
    coalesce(cf.urban_communities, 0) as urban_communities,
    coalesce(cf.certified_in_urban_communities, 0) as certified_in_urban_communities,
    coalesce(cf.urban_communities_2plus, 0) as urban_communities_2plus,
    coalesce(cf.urban_communities_0_certified, 0) as urban_communities_0_certified,
    coalesce(cf.urban_communities_1_certified, 0) as urban_communities_1_certified,
    coalesce(cf.urban_communities_3plus_certified, 0) as urban_communities_3plus_certified,
    coalesce(cf.urban_shortfall, 0) as urban_shortfall,
    coalesce(sf.stations_operating, 0) as stations_operating,
    coalesce(sf.stations_star_rated, 0) as stations_star_rated,
    coalesce(sf.brand_projects, 0) as brand_projects,
    coalesce(sf.station_resident_workers, 0) as station_resident_workers,
    coalesce(po.posts, 0) as posts,
    coalesce(po.posts_filled, 0) as posts_filled,
    coalesce(po.posts_new_this_year, 0) as posts_new_this_year,
    coalesce(o.active_organisations, 0) as active_organisations,
    coalesce(o.organisation_staff, 0) as organisation_staff,
    coalesce(o.organisation_professional_staff, 0) as organisation_professional_staff,
    coalesce(a.exam_tutoring_sessions, 0) as exam_tutoring_sessions,
    coalesce(a.exam_tutoring_attendees, 0) as exam_tutoring_attendees,
    coalesce(a.supervision_sessions, 0) as supervision_sessions,
    coalesce(a.training_sessions, 0) as training_sessions,
    coalesce(pu.purchase_projects, 0) as purchase_projects,
    coalesce(pu.purchase_budget_wan, 0) as purchase_budget_wan
from scope s
left join people_figures pf on pf.township_code is not distinct from s.township_code
left join community_figures cf on cf.township_code is not distinct from s.township_code
left join station_figures sf on sf.township_code is not distinct from s.township_code
left join post_figures po on po.township_code is not distinct from s.township_code
left join organisation_figures o on o.township_code is not distinct from s.township_code
left join activity_figures a on a.township_code is not distinct from s.township_code
left join purchase_figures pu on pu.township_code is not distinct from s.township_code
order by s.township_code nulls last
