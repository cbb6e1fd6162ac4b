-- Every change in scope since $from_date that moves the count of urban communities with at least $min_certified
-- certified social workers, or the count of urban communities: those that reached the minimum and those that fell
-- below it (a community not urban, or not on the register, at $from_date counts as having had none); urban
-- communities gone from the register (撤并: merged or abolished) or no longer urban (reclassified), each with whether
-- it met the minimum then; and communities newly urban that do not meet it. So the list adds up: meeting now minus
-- meeting then = reached_minimum - fell_below_minimum - gone_met - reclassified_met.
-- Order: the change's order in the enumeration, then township and community.
-- Parameters: $from_date DATE, $to_date DATE, $places VARCHAR[] (the place filter; NULL = whole
--   county),
--   $min_certified INTEGER (the 2-per-community rule).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
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
      -- Only counties that have $to_date: one missing the end month is compared at neither end (its places are not
      -- merged away, nor its organisations closed, for want of that month).
      and county_code in (select county_code from county_figures where snapshot_date = $to_date)
    group by county_code
),

then_staffing as (
    select x.snapshot_date, x.county_code, x.township_code, x.community_code, x.community_name, x.community_kind,
        x.certified_workers
    from community_staffing x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

now_all as (
    select county_code, township_code, community_code, community_name, community_kind, certified_workers
    from community_staffing
    where snapshot_date = $to_date
),

now_staffing as (
    select * from now_all
    where community_kind = 'urban_community'
      and in_places(township_code, county_code, $places)
),

compared as (
    select
        n.township_code,
        n.community_code,
        n.community_name,
        -- A community that was not urban then had no urban standard to meet: it starts below it.
        case when t.community_kind = 'urban_community' then t.certified_workers else 0 end as certified_then,
        n.certified_workers as certified_now,
        t.community_kind is distinct from 'urban_community' as newly_urban,
        $to_date::date as named_at
    from now_staffing n
    left join then_staffing t using (community_code)
),

left_urban as (
    -- Urban and in scope then, not urban now: gone from every register, or reclassified.
    select
        t.township_code,
        t.community_code,
        t.community_name,
        t.certified_workers as certified_then,
        coalesce(a.certified_workers, 0) as certified_now,
        a.community_code is null as gone,
        t.snapshot_date as named_at
    from then_staffing t
    left join now_all a using (community_code)
    where t.community_kind = 'urban_community'
      and a.community_kind is distinct from 'urban_community'
      and in_places(t.township_code, t.county_code, $places)
),

changed as (
    select
        township_code, community_code, community_name, certified_then, certified_now, named_at,
        case
            when certified_now >= $min_certified and certified_then < $min_certified then 'reached_minimum'
            when certified_now < $min_certified and certified_then >= $min_certified then 'fell_below_minimum'
            when newly_urban and certified_now < $min_certified then 'new_urban_unmet'
        end as change
    from compared
    union all
    select
        township_code, community_code, community_name, certified_then, certified_now, named_at,
        (case when gone then 'gone' else 'reclassified' end)
        || (case when certified_then >= $min_certified then '_met' else '_unmet' end) as change
    from left_urban
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
        c.change
    from changed c
    join townships w on w.snapshot_date = c.named_at and w.township_code = c.township_code
    left join divisions d on d.division_code = w.county_code
    where c.change is not null
)

select f.*, l.label as change_label
from final f
join enum_labels l on l.enum_name = 'community_change' and l.code = f.change
order by l.sort_order, f.township_code, f.community_code
