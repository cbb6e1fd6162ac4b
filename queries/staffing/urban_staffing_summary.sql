-- One row: urban-community staffing and village/community coverage in scope at $snapshot_date, summed from
-- township_figures (written with each snapshot, held in memory) rather than counted over every community.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- Columns: urban_communities, certified_in_urban_communities, average_certified_per_urban_community,
--   urban_communities_meeting_minimum, share_meeting_minimum, urban_communities_below_minimum,
--   total_shortfall, communities, communities_without_social_worker
with totals as (
    select
        coalesce(sum(urban_communities), 0)::bigint as urban_communities,
        coalesce(sum(certified_in_urban_communities), 0)::bigint as certified_in_urban_communities,
        coalesce(sum(urban_communities_2plus), 0)::bigint as urban_communities_meeting_minimum,
        coalesce(sum(urban_shortfall), 0)::bigint as total_shortfall,
        coalesce(sum(communities), 0)::bigint as communities,
        coalesce(sum(communities - communities_served), 0)::bigint as communities_without_social_worker
    from township_figures
    where snapshot_date = $snapshot_date
      and ($townships is null or list_contains($townships, township_code))
      and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
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
