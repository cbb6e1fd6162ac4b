-- Urban communities in scope at $snapshot_date with fewer than $min_certified certified social workers,
-- largest shortfall first, then those no social worker serves, then township and community order
-- (community_staffing.need_rank); at most $max_rows of them (the totals are in urban_staffing_summary).
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (township codes; NULL = whole county),
--   $min_certified INTEGER (the 2-per-community rule), $max_rows BIGINT (NULL = every one).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, community_code, community_name, certified_workers, shortfall
with below_minimum as (
    -- The file is written in need order and these communities are its first rows: the scan stops early.
    select
        snapshot_date,
        county_code,
        township_code,
        community_code,
        community_name,
        certified_workers,
        $min_certified - certified_workers as shortfall,
        need_rank
    from community_staffing
    where snapshot_date = $snapshot_date
      and community_kind = 'urban_community'
      and certified_workers < $min_certified
      and ($townships is null or list_contains($townships, township_code))
      and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
    order by need_rank
    limit $max_rows
),

final as (
    select
        coalesce(d.division_name, b.county_code) as county_name,
        b.township_code,
        t.township_name,
        b.community_code,
        b.community_name,
        b.certified_workers,
        b.shortfall,
        b.need_rank
    from below_minimum b
    join townships t
        on t.snapshot_date = $snapshot_date and t.snapshot_date = b.snapshot_date and t.township_code = b.township_code
    left join divisions d on d.division_code = b.county_code
)

select * exclude (need_rank) from final
order by need_rank
