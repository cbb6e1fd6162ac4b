-- Villages and communities in scope at $snapshot_date that no social worker serves, in township order;
-- at most $max_rows of them (the count: staffing.staffing_summary).
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county),
--   $max_rows BIGINT (NULL = every one).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, community_code, community_name, community_kind,
--   community_kind_label
with unserved as (
    select snapshot_date, county_code, township_code, community_code, community_name, community_kind
    from community_staffing
    where snapshot_date = $snapshot_date
      and social_workers = 0
      and in_places(township_code, county_code, $places)
    order by township_code, community_code
    limit $max_rows
),

final as (
    select
        coalesce(d.division_name, u.county_code) as county_name,
        u.township_code,
        t.township_name,
        u.community_code,
        u.community_name,
        u.community_kind,
        k.label as community_kind_label
    from unserved u
    join townships t
        on t.snapshot_date = $snapshot_date and t.snapshot_date = u.snapshot_date and t.township_code = u.township_code
    join enum_labels k on k.enum_name = 'community_kind' and k.code = u.community_kind
    left join divisions d on d.division_code = u.county_code
)

select * from final
order by township_code, community_code
