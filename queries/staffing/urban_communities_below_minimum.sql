-- Urban communities in scope at $snapshot_date with fewer than $min_certified certified social workers,
-- largest shortfall first, then those no social worker serves, then township and community order
-- (the terms of community_staffing.need_rank); at most $max_rows of them (the totals: staffing.staffing_summary).
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county),
--   $min_certified INTEGER (the 2-per-community rule), $max_rows BIGINT (NULL = every one).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, community_code, community_name, certified_workers, shortfall
with below_minimum as (
    -- In need order (community_staffing.need_rank's terms: the rank itself is each county's own).
    select
        snapshot_date,
        county_code,
        township_code,
        community_code,
        community_name,
        certified_workers,
        $min_certified - certified_workers as shortfall,
        social_workers
    from community_staffing
    where snapshot_date = $snapshot_date
      and community_kind = 'urban_community'
      and certified_workers < $min_certified
      and in_places(township_code, county_code, $places)
    order by shortfall desc, social_workers = 0 desc, township_code, community_code
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
        b.social_workers
    from below_minimum b
    join townships t
        on t.snapshot_date = $snapshot_date and t.snapshot_date = b.snapshot_date and t.township_code = b.township_code
    left join divisions d on d.division_code = b.county_code
)

select * exclude (social_workers) from final
order by shortfall desc, social_workers = 0 desc, township_code, community_code
