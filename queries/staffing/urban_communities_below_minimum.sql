-- Urban communities in scope at $snapshot_date with fewer than $min_certified certified social workers,
-- largest shortfall first; at most $max_rows of them (the totals are in urban_staffing_summary).
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (township codes; NULL = whole county),
--   $min_certified INTEGER (the 2-per-community rule), $max_rows BIGINT (NULL = every one).
-- Columns: township_code, township_name, community_code, community_name, certified_workers, shortfall
with below_minimum as (
    select
        snapshot_date,
        township_code,
        community_code,
        certified_workers,
        $min_certified - certified_workers as shortfall
    from community_staffing
    where snapshot_date = $snapshot_date
      and community_kind = 'urban_community'
      and certified_workers < $min_certified
      and ($townships is null or list_contains($townships, township_code))
    -- On the narrow columns: names are read below for the listed rows only.
    order by shortfall desc, township_code, community_code
    limit $max_rows
),

final as (
    select
        b.township_code,
        t.township_name,
        b.community_code,
        s.community_name,
        b.certified_workers,
        b.shortfall
    from below_minimum b
    join community_staffing s
        on s.snapshot_date = $snapshot_date and s.snapshot_date = b.snapshot_date and s.community_code = b.community_code
    join townships t
        on t.snapshot_date = $snapshot_date and t.snapshot_date = b.snapshot_date and t.township_code = b.township_code
)

select * from final
order by shortfall desc, township_code, community_code
