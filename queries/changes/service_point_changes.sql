-- Township stations and social-work organisations that changed between $from_date and $to_date: a station
-- opened or closed, or its star rating rose or fell; an organisation registered (new on the register), closed
-- (deregistered, or gone from the register), suspended, resumed, or its evaluation grade changed (a change of
-- status wins over a change of grade; one already deregistered that leaves the register is no change). Stations
-- first, then organisations, each in county and township order.
-- Parameters: $from_date DATE, $to_date DATE, $places VARCHAR[] (the place filter; NULL = whole
--   county, with the
--   organisations registered at county level).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- $from_dates DATE[]: the dates of each county's latest snapshot on or before $from_date (figures/changes.py),
--   stated so that only those partitions are read.
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: point_kind, county_name, township_code, township_name, point_name, change, change_label, stars_then,
--   stars_now, grade_then_label, grade_now_label
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

stations_then as (
    select township_code, has_station, station_stars
    from townships x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

stations_now as (
    select county_code, township_code, township_name, has_station, station_stars
    from townships
    where snapshot_date = $to_date
      and in_places(township_code, county_code, $places)
),

stations as (
    select
        'station' as point_kind,
        n.county_code,
        n.township_code,
        n.township_name,
        n.township_name as point_name,
        case
            when n.has_station and not coalesce(t.has_station, false) then 'station_opened'
            when not n.has_station and coalesce(t.has_station, false) then 'station_closed'
            when n.has_station and n.station_stars > t.station_stars then 'stars_up'
            when n.has_station and n.station_stars < t.station_stars then 'stars_down'
        end as change,
        case when t.has_station then t.station_stars end as stars_then,
        case when n.has_station then n.station_stars end as stars_now,
        null::varchar as grade_then,
        null::varchar as grade_now
    from stations_now n
    left join stations_then t using (township_code)
),

organisations_then as (
    select county_code, organisation_id, organisation_name, township_code, status, evaluation_grade
    from organisations x
    semi join then_dates d
        on d.county_code is not distinct from x.county_code and d.snapshot_date = x.snapshot_date
    where list_contains($from_dates, x.snapshot_date)
),

organisations_now as (
    select county_code, organisation_id, organisation_name, township_code, status, evaluation_grade
    from organisations
    where snapshot_date = $to_date
),

organisations_compared as (
    select
        'organisation' as point_kind,
        coalesce(n.county_code, t.county_code) as county_code,
        coalesce(n.township_code, t.township_code) as township_code,
        coalesce(n.organisation_name, t.organisation_name) as point_name,
        case
            when t.organisation_id is null then 'registered'
            when n.organisation_id is null and t.status <> 'deregistered' then 'deregistered'
            when n.status = 'deregistered' and t.status <> 'deregistered' then 'deregistered'
            when n.status = 'suspended' and t.status = 'active' then 'suspended'
            when n.status = 'active' and t.status = 'suspended' then 'resumed'
            when n.status <> 'deregistered' and n.evaluation_grade <> t.evaluation_grade then 'grade_changed'
        end as change,
        t.evaluation_grade as grade_then,
        n.evaluation_grade as grade_now
    from organisations_now n
    full outer join organisations_then t
        on n.county_code is not distinct from t.county_code and n.organisation_id = t.organisation_id
),

organisations_changed as (
    select
        o.point_kind,
        o.county_code,
        o.township_code,
        w.township_name,
        o.point_name,
        o.change,
        null::integer as stars_then,
        null::integer as stars_now,
        o.grade_then,
        o.grade_now
    from organisations_compared o
    left join townships w on w.snapshot_date = $to_date and w.township_code = o.township_code
    where in_places(o.township_code, o.county_code, $places)
),

final as (
    select * from stations where change is not null
    union all
    select * from organisations_changed where change is not null
)

select
    f.point_kind,
    coalesce(d.division_name, f.county_code) as county_name,
    f.township_code,
    f.township_name,
    f.point_name,
    f.change,
    l.label as change_label,
    f.stars_then,
    f.stars_now,
    g0.label as grade_then_label,
    g1.label as grade_now_label
from final f
join enum_labels l on l.enum_name = 'service_point_change' and l.code = f.change
left join enum_labels g0 on g0.enum_name = 'evaluation_grade' and g0.code = f.grade_then
left join enum_labels g1 on g1.enum_name = 'evaluation_grade' and g1.code = f.grade_now
left join divisions d on d.division_code = f.county_code
order by f.point_kind = 'organisation', f.county_code, f.township_code nulls last, f.point_name, l.sort_order
