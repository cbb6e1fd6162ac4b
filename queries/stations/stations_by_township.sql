-- Each township's social-work station at $snapshot_date, with this year's supervision.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = every township).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: county_name, township_code, township_name, township_kind_label, has_station, station_opened_date,
--   station_stars, station_resident_workers, brand_project, supervision_sessions_this_year,
--   supervision_hours_this_year
with supervision as (
    select township_code, count(*) as sessions, sum(hours) as hours
    from activities
    where snapshot_date = $snapshot_date
      and activity_kind = 'supervision'
      and activity_date between make_date(year($snapshot_date), 1, 1) and $snapshot_date
    group by township_code
),

final as (
    select
        coalesce(d.division_name, t.county_code) as county_name,
        t.township_code,
        t.township_name,
        k.label as township_kind_label,
        t.has_station,
        t.station_opened_date,
        t.station_stars,
        t.station_resident_workers,
        t.brand_project,
        coalesce(s.sessions, 0) as supervision_sessions_this_year,
        coalesce(s.hours, 0) as supervision_hours_this_year
    from townships t
    join enum_labels k on k.enum_name = 'township_kind' and k.code = t.township_kind
    left join supervision s on s.township_code = t.township_code
    left join divisions d on d.division_code = t.county_code
    where t.snapshot_date = $snapshot_date
      and in_places(t.township_code, t.county_code, $places)
)

select * from final
order by township_code
