-- How many divisions of each level above the township lie within $scope (the scope itself counted at its own level):
-- a view breaks down into the first level under it that holds more than one (socialwork/figures/hierarchy.py).
-- Parameters: $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = the whole store).
-- Columns: division_level, divisions
select division_level, count(*) as divisions
from divisions
where division_level <> 'township'
  and ($scope is null or starts_with(division_code, $scope))
group by division_level
order by min(length(division_code))
