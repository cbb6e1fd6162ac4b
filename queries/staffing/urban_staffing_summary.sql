-- One row: urban-community staffing and village/community coverage in scope at $snapshot_date.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county), $min_certified INTEGER.
-- Columns: urban_communities, certified_in_urban_communities, average_certified_per_urban_community,
--   urban_communities_meeting_minimum, share_meeting_minimum, urban_communities_below_minimum,
--   total_shortfall, communities, communities_without_social_worker
with staffing as (
    select *
    from community_staffing
    where snapshot_date = $snapshot_date
      and ($townships is null or list_contains($townships, township_code))
),

totals as (
    select
        count(*) filter (where community_kind = 'urban_community') as urban_communities,
        coalesce(sum(certified_workers) filter (where community_kind = 'urban_community'), 0)::integer
            as certified_in_urban_communities,
        count(*) filter (where community_kind = 'urban_community' and certified_workers >= $min_certified)
            as urban_communities_meeting_minimum,
        coalesce(
            sum($min_certified - certified_workers)
                filter (where community_kind = 'urban_community' and certified_workers < $min_certified), 0
        )::integer as total_shortfall,
        count(*) as communities,
        count(*) filter (where social_workers = 0) as communities_without_social_worker
    from staffing
),

final as (
    select
        urban_communities,
        certified_in_urban_communities,
        certified_in_urban_communities / nullif(urban_communities, 0) as average_certified_per_urban_community,
        urban_communities_meeting_minimum,
        100.0 * urban_communities_meeting_minimum / nullif(urban_communities, 0) as share_meeting_minimum,
        urban_communities - urban_communities_meeting_minimum as urban_communities_below_minimum,
        total_shortfall,
        communities,
        communities_without_social_worker
    from totals
)

select * from final
