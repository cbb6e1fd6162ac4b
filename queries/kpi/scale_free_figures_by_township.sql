-- The figures behind the scale-free targets, one row per township and requested snapshot.
-- Parameters: $snapshot_dates DATE[] (e.g. the as-of date and its baseline),
--   $townships VARCHAR[] (township codes; NULL = every township), $min_certified INTEGER (the plan's 2).
-- Columns: snapshot_date, township_code, township_name, township_kind_label, townships, townships_served,
--   communities, communities_served, urban_communities, certified_in_urban_communities,
--   urban_communities_2plus, community_workers, certified_community_workers, organisation_staff,
--   organisation_professional_staff
with scoped_townships as (
    select t.snapshot_date, t.township_code, t.township_name, k.label as township_kind_label
    from townships t
    join enum_labels k on k.enum_name = 'township_kind' and k.code = t.township_kind
    where list_contains($snapshot_dates, t.snapshot_date)
      and ($townships is null or list_contains($townships, t.township_code))
),

staffing as (
    select
        snapshot_date,
        township_code,
        communities,
        communities_served,
        urban_communities,
        certified_in_urban_communities,
        urban_communities_meeting_minimum as urban_communities_2plus
    from township_staffing($min_certified)
    where list_contains($snapshot_dates, snapshot_date)
),

workers as (
    select
        snapshot_date,
        township_code,
        count(*) as social_workers,
        count(*) filter (where employer_type = 'community') as community_workers,
        count(*) filter (
            where employer_type = 'community' and certificate_level <> 'none'
        ) as certified_community_workers
    from people
    where list_contains($snapshot_dates, snapshot_date)
    group by snapshot_date, township_code
),

organisation_staffing as (
    select
        snapshot_date,
        township_code,
        sum(staff)::integer as organisation_staff,
        sum(professional_staff)::integer as organisation_professional_staff
    from organisations
    where list_contains($snapshot_dates, snapshot_date) and status = 'active'
    group by snapshot_date, township_code
),

final as (
    select
        t.snapshot_date,
        t.township_code,
        t.township_name,
        t.township_kind_label,
        1 as townships,
        case when coalesce(w.social_workers, 0) > 0 then 1 else 0 end as townships_served,
        coalesce(s.communities, 0) as communities,
        coalesce(s.communities_served, 0) as communities_served,
        coalesce(s.urban_communities, 0) as urban_communities,
        coalesce(s.certified_in_urban_communities, 0) as certified_in_urban_communities,
        coalesce(s.urban_communities_2plus, 0) as urban_communities_2plus,
        coalesce(w.community_workers, 0) as community_workers,
        coalesce(w.certified_community_workers, 0) as certified_community_workers,
        coalesce(o.organisation_staff, 0) as organisation_staff,
        coalesce(o.organisation_professional_staff, 0) as organisation_professional_staff
    from scoped_townships t
    left join staffing s using (snapshot_date, township_code)
    left join workers w using (snapshot_date, township_code)
    left join organisation_staffing o using (snapshot_date, township_code)
)

select * from final
order by snapshot_date, township_code
