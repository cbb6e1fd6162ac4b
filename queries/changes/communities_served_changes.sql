-- Every change in the villages and communities in scope that moves the count of places a social worker serves, or
-- the count of places: newly served (a community new on the register counts as unserved before), no longer served,
-- and places gone from the register since $from_date (撤并: merged or abolished; the register does not say which),
-- with or without service then, and places new on the register without service. So the list adds up: served now
-- minus served then = newly_served - no_longer_served - gone_served, places now minus places then =
-- new places (newly_served rows with none then + new_unserved) - gone rows.
-- Order: the change's order in the enumeration, then township and community.
-- Parameters: $from_date DATE, $to_date DATE, $places VARCHAR[] (the place filter; NULL = whole
--   county).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
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
      -- Only counties that have $to_date: one missing the end month is compared at neither end (its places are not
      -- merged away, nor its organisations closed, for want of that month).
      and county_code in (select county_code from county_figures where snapshot_date = $to_date)
    group by county_code
),

then_staffing as (
    select x.snapshot_date, x.county_code, x.township_code, x.community_code, x.community_name, x.community_kind,
        x.social_workers
    from community_staffing x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

now_all as (
    select county_code, township_code, community_code, community_name, community_kind, social_workers
    from community_staffing
    where snapshot_date = $to_date
),

now_staffing as (
    select * from now_all
    where in_places(township_code, county_code, $places)
),

compared as (
    select
        n.township_code,
        n.community_code,
        n.community_name,
        n.community_kind,
        coalesce(t.social_workers, 0) as social_workers_then,
        n.social_workers as social_workers_now,
        t.community_code is null as is_new,
        $to_date::date as named_at
    from now_staffing n
    left join then_staffing t using (community_code)
),

gone as (
    -- In scope then, on no township's register now (a place moved to another township is not gone).
    select
        t.township_code,
        t.community_code,
        t.community_name,
        t.community_kind,
        t.social_workers as social_workers_then,
        0 as social_workers_now,
        t.snapshot_date as named_at
    from then_staffing t
    where in_places(t.township_code, t.county_code, $places)
      and t.community_code not in (select community_code from now_all)
),

changed as (
    select
        township_code, community_code, community_name, community_kind, social_workers_then, social_workers_now,
        named_at,
        case
            when social_workers_now > 0 and social_workers_then = 0 then 'newly_served'
            when social_workers_now = 0 and social_workers_then > 0 then 'no_longer_served'
            when is_new and social_workers_now = 0 then 'new_unserved'
        end as change
    from compared
    union all
    select
        township_code, community_code, community_name, community_kind, social_workers_then, social_workers_now,
        named_at,
        case when social_workers_then > 0 then 'gone_served' else 'gone_unserved' end as change
    from gone
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
        c.change
    from changed c
    join townships w on w.snapshot_date = c.named_at and w.township_code = c.township_code
    join enum_labels k on k.enum_name = 'community_kind' and k.code = c.community_kind
    left join divisions d on d.division_code = w.county_code
    where c.change is not null
)

select f.*, l.label as change_label
from final f
join enum_labels l on l.enum_name = 'community_change' and l.code = f.change
order by l.sort_order, f.township_code, f.community_code
