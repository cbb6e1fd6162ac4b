-- Operating stations by star rating (0 = not rated) at $snapshot_date; every rating 0-5 listed.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = every township).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: station_stars, stations
with ratings as (
    select unnest(range(0, 6)) as station_stars
),

stations as (
    select station_stars
    from townships
    where snapshot_date = $snapshot_date
      and has_station
      and in_places(township_code, county_code, $places)
),

final as (
    select r.station_stars, count(s.station_stars) as stations
    from ratings r
    left join stations s using (station_stars)
    group by r.station_stars
)

select * from final
order by station_stars
