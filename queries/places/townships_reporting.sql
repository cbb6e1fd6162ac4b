-- Reporting status within a county: the townships the divisions table lists under $scope that the snapshot
-- $snapshot_date lacks (their county sent the month without them). Empty when the divisions table lists no townships.
-- Parameters: $snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = everywhere).
-- Columns: township_code, township_name, county_code, county_has_snapshot
with listed as (
    select division_code as township_code, division_name as township_name, left(division_code, 6) as county_code
    from divisions
    where division_level = 'township'
      and ($scope is null or starts_with(division_code, $scope))
),

reported as (
    select township_code
    from townships
    where snapshot_date = $snapshot_date
      and ($scope is null or starts_with(township_code, $scope))
),

counties_reported as (
    select distinct county_code
    from county_figures
    where snapshot_date = $snapshot_date
)

select
    l.township_code,
    l.township_name,
    l.county_code,
    l.county_code in (select county_code from counties_reported) as county_has_snapshot
from listed l
where l.township_code not in (select township_code from reported)
order by l.township_code
