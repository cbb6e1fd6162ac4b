-- The divisions the store covers within $scope (the scope itself and every division under it), for the scope picker,
-- breadcrumbs and names; townships come from the snapshot $snapshot_date (the register's names), the levels above from
-- the divisions table.
-- Parameters: $snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = everything).
-- Columns: division_code, division_name, division_level, parent_code
with above as (
    select division_code, division_name, division_level, parent_code
    from divisions
    where division_level <> 'township'
      and ($scope is null or starts_with(division_code, $scope) or starts_with($scope, division_code))
),

townships_now as (
    select
        township_code as division_code,
        township_name as division_name,
        'township' as division_level,
        left(township_code, 6) as parent_code
    from townships
    where snapshot_date = $snapshot_date
      and ($scope is null or starts_with(township_code, $scope))
)

select * from above
union all
select * from townships_now
order by division_code
