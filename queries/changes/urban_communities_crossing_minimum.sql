-- Urban communities in scope at $to_date whose certified social workers crossed the plan's minimum since
-- $from_date: those that reached $min_certified and those that fell below it (a community not yet on the
-- register at $from_date counts as having had none). Reached first, then township and community order.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (township codes; NULL = whole county),
--   $min_certified INTEGER (the 2-per-community rule).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- $from_dates DATE[]: the dates of each county's latest snapshot on or before $from_date (figures/changes.py),
--   stated so that only those partitions are read.
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, community_code, community_name, certified_then,
--   certified_now, change, change_label
with then_dates as (
    -- Each county's latest snapshot on or before $from_date: a county that missed that month is compared from its
    -- previous one, the rule of every figure over many counties (socialwork/figures/metrics/levels.py).
    select county_code, max(snapshot_date) as snapshot_date
    from county_figures
    where snapshot_date <= $from_date
    group by county_code
),

then_staffing as (
    select community_code, community_kind, certified_workers
    from community_staffing x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

now_staffing as (
    select township_code, community_code, community_name, certified_workers
    from community_staffing
    where snapshot_date = $to_date
      and community_kind = 'urban_community'
      and ($townships is null or list_contains($townships, township_code))
      and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
),

compared as (
    select
        n.township_code,
        n.community_code,
        n.community_name,
        -- A community that was not urban then had no urban standard to meet: it starts below it.
        case when t.community_kind = 'urban_community' then t.certified_workers else 0 end as certified_then,
        n.certified_workers as certified_now
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
        c.certified_then,
        c.certified_now,
        case when c.certified_now >= $min_certified then 'reached_minimum' else 'fell_below_minimum' end as change
    from compared c
    join townships w on w.snapshot_date = $to_date and w.township_code = c.township_code
    left join divisions d on d.division_code = w.county_code
    where (c.certified_now >= $min_certified) <> (c.certified_then >= $min_certified)
)

select f.*, l.label as change_label
from final f
join enum_labels l on l.enum_name = 'community_change' and l.code = f.change
order by l.sort_order, f.township_code, f.community_code
