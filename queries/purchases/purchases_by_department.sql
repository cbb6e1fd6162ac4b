-- Government purchase of social-work services in $snapshot_date's plan year, by purchasing department.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county, county-wide projects included).
-- Columns: department, projects, budget_wan
select
    department,
    count(*) as projects,
    sum(budget_wan) as budget_wan
from purchases
where snapshot_date = $snapshot_date
  and plan_year = year($snapshot_date)
  and ($townships is null or list_contains($townships, township_code))
group by department
order by budget_wan desc, department
