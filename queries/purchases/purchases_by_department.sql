-- Government purchase of social-work services in $snapshot_date's plan year, by purchasing department.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county, county-wide projects included).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- Columns: department, projects, budget_wan
select
    department,
    count(*) as projects,
    sum(budget_wan) as budget_wan
from purchases
where snapshot_date = $snapshot_date
  and plan_year = year($snapshot_date)
  and ($townships is null or list_contains($townships, township_code))
  and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
group by department
order by budget_wan desc, department
