-- Projects and budget (万元) per plan year up to $snapshot_date's year, as recorded at $snapshot_date.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county, county-wide projects included).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- Columns: plan_year, projects, budget_wan, county_wide_budget_wan
select
    plan_year,
    count(*) as projects,
    sum(budget_wan) as budget_wan,
    coalesce(sum(budget_wan) filter (where township_code is null), 0) as county_wide_budget_wan
from purchases
where snapshot_date = $snapshot_date
  and plan_year <= year($snapshot_date)
  and ($townships is null or list_contains($townships, township_code))
  and ($scope is null or starts_with(coalesce(township_code, county_code), $scope))
group by plan_year
order by plan_year
