-- Reporting status: every county within $scope, whether it has a snapshot dated $snapshot_date and its latest snapshot
-- on or before it (a county "has" a month only when its own store holds that very date: no tolerance, since every
-- snapshot is a month-end). Counties come from the divisions table; a single county's store lists its one county.
-- Parameters: $snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = every county).
-- Columns: county_code, county_name, city_code, has_snapshot, latest_snapshot_date
with counties as (
    select division_code as county_code, division_name as county_name, parent_code as city_code
    from divisions
    where division_level = 'county'
      and ($scope is null or starts_with(division_code, left($scope, 6)))
),

their_dates as (
    select
        county_code,
        max(snapshot_date) as latest_snapshot_date,
        bool_or(snapshot_date = $snapshot_date) as has_snapshot
    from county_figures
    where snapshot_date <= $snapshot_date
    group by county_code
)

select
    c.county_code,
    c.county_name,
    c.city_code,
    coalesce(d.has_snapshot, false) as has_snapshot,
    d.latest_snapshot_date
from counties c
left join their_dates d using (county_code)
order by c.county_code
