-- How many urban communities have 0, 1, 2, 3 or more certified social workers at $snapshot_date, summed
-- from township_figures (written with each snapshot, held in memory). Every bucket is listed, empty ones with 0.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- Columns: certified_bucket, bucket_order, urban_communities
with totals as (
    select
        coalesce(sum(urban_communities_0_certified), 0) as none_certified,
        coalesce(sum(urban_communities_1_certified), 0) as one_certified,
        -- Exactly two: the urban communities in no other bucket.
        coalesce(sum(urban_communities - urban_communities_0_certified - urban_communities_1_certified
                     - urban_communities_3plus_certified), 0) as two_certified,
        coalesce(sum(urban_communities_3plus_certified), 0) as three_or_more_certified
    from township_figures
    where snapshot_date = $snapshot_date
      and ($townships is null or list_contains($townships, township_code))
      and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
)

select '0' as certified_bucket, 0 as bucket_order, none_certified::bigint as urban_communities from totals
union all
select '1', 1, one_certified::bigint from totals
union all
select '2', 2, two_certified::bigint from totals
union all
select '3+', 3, three_or_more_certified::bigint from totals
order by bucket_order
