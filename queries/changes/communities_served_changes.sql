-- Villages and communities in scope at $to_date that a social worker serves now and none did at $from_date
-- (newly served; a community not yet on the register then counts as unserved), and those served then and by
-- nobody now. Newly served first, then township and community order.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes; NULL = whole county).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- $from_dates DATE[]: the dates of each county's latest snapshot on or before $from_date (figures/changes.py),
--   stated so that only those partitions are read.
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, community_code, community_name, community_kind_label,
--   social_workers_then, social_workers_now, change, change_label
with then_dates as (
    -- Each county's latest snapshot on or before $from_date: a county that missed that month is compared from its
    -- previous one, the rule of every figure over many counties (socialwork/figures/metrics/levels.py).
    select county_code, max(snapshot_date) as snapshot_date
    from county_figures
    where snapshot_date <= $from_date
    group by county_code
),

then_staffing as (
    select community_code, social_workers
    from community_staffing x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

now_staffing as (
    select township_code, community_code, community_name, community_kind, social_workers
    from community_staffing
    where snapshot_date = $to_date
      and ($townships is null or list_contains($townships, township_code))
      and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
),

compared as (
    select
        n.township_code,
        n.community_code,
        n.community_name,
        n.community_kind,
        coalesce(t.social_workers, 0) as social_workers_then,
        n.social_workers as social_workers_now
    from now_staffing n
    left join then_staffing t using (community_code)
),

final as (
    select
        coalesce(d.division_name, w.county_code) as county_name,
        c.township_code,
        w.township_name,
        c.community_code,
        c.community_name,
        k.label as community_kind_label,
        c.social_workers_then,
        c.social_workers_now,
        case when c.social_workers_now > 0 then 'newly_served' else 'no_longer_served' end as change
    from compared c
    join townships w on w.snapshot_date = $to_date and w.township_code = c.township_code
    join enum_labels k on k.enum_name = 'community_kind' and k.code = c.community_kind
    left join divisions d on d.division_code = w.county_code
    where (c.social_workers_now > 0) <> (c.social_workers_then > 0)
)

select f.*, l.label as change_label
from final f
join enum_labels l on l.enum_name = 'community_change' and l.code = f.change
order by l.sort_order, f.township_code, f.community_code
