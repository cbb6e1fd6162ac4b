-- Social-work posts that changed between $from_date and $to_date, by township, employing unit and sector:
-- created (new on the register), filled (in post now, vacant or not yet set up then), vacated (in post then,
-- vacant now) and removed (gone from the register). Only units with a change; county, then township order, each
-- county's county-level departments (no township) last.
-- Parameters: $from_date DATE, $to_date DATE, $places VARCHAR[] (the place filter;
--   NULL = whole county, with the county-level departments).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- $from_dates DATE[]: the dates of each county's latest snapshot on or before $from_date (figures/changes.py),
--   stated so that only those partitions are read.
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, unit_name, sector, sector_label, created_posts, filled_posts,
--   vacated_posts, removed_posts
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

then_posts as (
    select county_code, post_id, township_code, unit_name, sector, is_filled
    from posts x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

now_posts as (
    select county_code, post_id, township_code, unit_name, sector, is_filled
    from posts
    where snapshot_date = $to_date
),

compared as (
    select
        coalesce(n.county_code, t.county_code) as county_code,
        coalesce(n.township_code, t.township_code) as township_code,
        coalesce(n.unit_name, t.unit_name) as unit_name,
        coalesce(n.sector, t.sector) as sector,
        t.post_id is null as created,
        n.post_id is not null and n.is_filled and not coalesce(t.is_filled, false) as filled,
        n.post_id is not null and t.post_id is not null and t.is_filled and not n.is_filled as vacated,
        n.post_id is null as removed
    from now_posts n
    full outer join then_posts t on n.county_code is not distinct from t.county_code and n.post_id = t.post_id
),

by_unit as (
    select
        county_code,
        township_code,
        unit_name,
        sector,
        count(*) filter (where created) as created_posts,
        count(*) filter (where filled) as filled_posts,
        count(*) filter (where vacated) as vacated_posts,
        count(*) filter (where removed) as removed_posts
    from compared
    where in_places(township_code, county_code, $places)
    group by county_code, township_code, unit_name, sector
),

final as (
    select
        b.county_code,
        coalesce(d.division_name, b.county_code) as county_name,
        b.township_code,
        w.township_name,
        b.unit_name,
        b.sector,
        s.label as sector_label,
        b.created_posts,
        b.filled_posts,
        b.vacated_posts,
        b.removed_posts,
        s.sort_order
    from by_unit b
    left join townships w on w.snapshot_date = $to_date and w.township_code = b.township_code
    join enum_labels s on s.enum_name = 'sector' and s.code = b.sector
    left join divisions d on d.division_code = b.county_code
    where b.created_posts + b.filled_posts + b.vacated_posts + b.removed_posts > 0
)

select * exclude (county_code, sort_order) from final
order by county_code, township_code nulls last, unit_name, sort_order
