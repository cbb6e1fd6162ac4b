-- This plan year's purchased services per township at $snapshot_date (county-wide projects excluded).
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = every township).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- Columns: township_code, township_name, projects, budget_wan
with per_township as (
    select township_code, count(*) as projects, sum(budget_wan) as budget_wan
    from purchases
    where snapshot_date = $snapshot_date
      and plan_year = year($snapshot_date)
      and township_code is not null
    group by township_code
)

select
    t.township_code,
    t.township_name,
    coalesce(p.projects, 0) as projects,
    coalesce(p.budget_wan, 0) as budget_wan
from townships t
left join per_township p using (township_code)
where t.snapshot_date = $snapshot_date
  and ($townships is null or list_contains($townships, t.township_code))
  and ($scope is null or starts_with(coalesce(t.township_code, t.county_code), $scope))
order by budget_wan desc, t.township_code
