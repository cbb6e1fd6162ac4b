-- The plan's raw figures, one row per snapshot between $from_date and $to_date.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes; NULL = whole county),
--   $min_certified INTEGER (certified social workers an urban community should have: the plan's 2).
-- Rows with an empty township (county-level units) count only when $townships is NULL.
-- Columns: snapshot_date, certified_workers, certified_gained_this_year, social_workers,
--   community_workers, certified_community_workers, talent_cards_this_year, talent_cards_total,
--   awards_this_year, townships, townships_served, communities, communities_served,
--   urban_communities, certified_in_urban_communities, urban_communities_2plus, stations_operating,
--   stations_star_rated, brand_projects, station_resident_workers, posts, posts_filled,
--   posts_new_this_year, active_organisations, organisation_staff, organisation_professional_staff,
--   exam_tutoring_sessions, exam_tutoring_attendees, supervision_sessions, training_sessions,
--   purchase_projects, purchase_budget_wan
with snapshots as (
    select snapshot_date, make_date(year(snapshot_date), 1, 1) as year_start
    from townships
    where snapshot_date between $from_date and $to_date
    group by snapshot_date
),

scoped_townships as (
    select *
    from townships
    where snapshot_date between $from_date and $to_date
      and ($townships is null or list_contains($townships, township_code))
),

scoped_people as (
    select people.*, snapshots.year_start
    from people
    join snapshots using (snapshot_date)
    where $townships is null or list_contains($townships, township_code)
),

people_figures as (
    select
        snapshot_date,
        count(*) filter (where certificate_level <> 'none') as certified_workers,
        count(*) filter (
            where certificate_level <> 'none' and first_certified_date between year_start and snapshot_date
        ) as certified_gained_this_year,
        count(*) as social_workers,
        count(*) filter (where employer_type = 'community') as community_workers,
        count(*) filter (
            where employer_type = 'community' and certificate_level <> 'none'
        ) as certified_community_workers,
        count(*) filter (where talent_card_date between year_start and snapshot_date) as talent_cards_this_year,
        count(talent_card_date) as talent_cards_total,
        count(*) filter (where award_year = year(snapshot_date)) as awards_this_year
    from scoped_people
    group by snapshot_date
),

township_figures as (
    select
        t.snapshot_date,
        count(*) as townships,
        count(*) filter (
            where exists (
                select 1 from scoped_people p
                where p.snapshot_date = t.snapshot_date and p.township_code = t.township_code
            )
        ) as townships_served,
        count(*) filter (where t.has_station) as stations_operating,
        count(*) filter (where t.has_station and t.station_stars > 0) as stations_star_rated,
        count(t.brand_project) filter (where t.has_station) as brand_projects,
        coalesce(sum(t.station_resident_workers), 0)::integer as station_resident_workers
    from scoped_townships t
    group by t.snapshot_date
),

community_figures as (
    select
        snapshot_date,
        sum(communities)::bigint as communities,
        sum(communities_served)::bigint as communities_served,
        sum(urban_communities)::bigint as urban_communities,
        sum(certified_in_urban_communities)::bigint as certified_in_urban_communities,
        sum(urban_communities_meeting_minimum)::bigint as urban_communities_2plus
    from township_staffing($min_certified)
    where snapshot_date between $from_date and $to_date
      and ($townships is null or list_contains($townships, township_code))
    group by snapshot_date
),

post_figures as (
    select
        s.snapshot_date,
        count(*) as posts,
        count(*) filter (where p.is_filled) as posts_filled,
        count(*) filter (where p.created_date between s.year_start and s.snapshot_date) as posts_new_this_year
    from posts p
    join snapshots s using (snapshot_date)
    where $townships is null or list_contains($townships, p.township_code)
    group by s.snapshot_date
),

organisation_figures as (
    select
        o.snapshot_date,
        count(*) filter (where o.status = 'active') as active_organisations,
        coalesce(sum(o.staff) filter (where o.status = 'active'), 0)::integer as organisation_staff,
        coalesce(sum(o.professional_staff) filter (where o.status = 'active'), 0)::integer
            as organisation_professional_staff
    from organisations o
    join snapshots s using (snapshot_date)
    where $townships is null or list_contains($townships, o.township_code)
    group by o.snapshot_date
),

activity_figures as (
    select
        s.snapshot_date,
        count(*) filter (where a.activity_kind = 'exam_tutoring') as exam_tutoring_sessions,
        coalesce(sum(a.attendees) filter (where a.activity_kind = 'exam_tutoring'), 0)::integer as exam_tutoring_attendees,
        count(*) filter (where a.activity_kind = 'supervision') as supervision_sessions,
        count(*) filter (where a.activity_kind = 'training') as training_sessions
    from activities a
    join snapshots s using (snapshot_date)
    where a.activity_date between s.year_start and s.snapshot_date
      and ($townships is null or list_contains($townships, a.township_code))
    group by s.snapshot_date
),

purchase_figures as (
    select
        s.snapshot_date,
        count(*) as purchase_projects,
        coalesce(sum(p.budget_wan), 0) as purchase_budget_wan
    from purchases p
    join snapshots s using (snapshot_date)
    where p.plan_year = year(s.snapshot_date)
      and ($townships is null or list_contains($townships, p.township_code))
    group by s.snapshot_date
),

final as (
    select
        s.snapshot_date,
        coalesce(pf.certified_workers, 0) as certified_workers,
        coalesce(pf.certified_gained_this_year, 0) as certified_gained_this_year,
        coalesce(pf.social_workers, 0) as social_workers,
        coalesce(pf.community_workers, 0) as community_workers,
        coalesce(pf.certified_community_workers, 0) as certified_community_workers,
        coalesce(pf.talent_cards_this_year, 0) as talent_cards_this_year,
        coalesce(pf.talent_cards_total, 0) as talent_cards_total,
        coalesce(pf.awards_this_year, 0) as awards_this_year,
        coalesce(tf.townships, 0) as townships,
        coalesce(tf.townships_served, 0) as townships_served,
        coalesce(cf.communities, 0) as communities,
        coalesce(cf.communities_served, 0) as communities_served,
        coalesce(cf.urban_communities, 0) as urban_communities,
        coalesce(cf.certified_in_urban_communities, 0) as certified_in_urban_communities,
        coalesce(cf.urban_communities_2plus, 0) as urban_communities_2plus,
        coalesce(tf.stations_operating, 0) as stations_operating,
        coalesce(tf.stations_star_rated, 0) as stations_star_rated,
        coalesce(tf.brand_projects, 0) as brand_projects,
        coalesce(tf.station_resident_workers, 0) as station_resident_workers,
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
    from snapshots s
    left join people_figures pf using (snapshot_date)
    left join township_figures tf using (snapshot_date)
    left join community_figures cf using (snapshot_date)
    left join post_figures po using (snapshot_date)
    left join organisation_figures o using (snapshot_date)
    left join activity_figures a using (snapshot_date)
    left join purchase_figures pu using (snapshot_date)
)

select * from final
order by snapshot_date
