-- One row on the township stations at $snapshot_date.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = every township),
--   $min_residents INTEGER (resident social workers a station usually has).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: townships, stations_operating, stations_star_rated, brand_projects, resident_workers,
--   resident_workers_per_station, stations_below_resident_minimum
with scoped as (
    select *
    from townships
    where snapshot_date = $snapshot_date
      and in_places(township_code, county_code, $places)
),

totals as (
    select
        count(*) as townships,
        count(*) filter (where has_station) as stations_operating,
        count(*) filter (where has_station and station_stars > 0) as stations_star_rated,
        count(brand_project) filter (where has_station) as brand_projects,
        coalesce(sum(station_resident_workers) filter (where has_station), 0)::integer as resident_workers,
        count(*) filter (where has_station and station_resident_workers < $min_residents)
            as stations_below_resident_minimum
    from scoped
)

select
    townships,
    stations_operating,
    stations_star_rated,
    brand_projects,
    resident_workers,
    resident_workers / nullif(stations_operating, 0) as resident_workers_per_station,
    stations_below_resident_minimum
from totals
