-- Government purchase of social-work services in $snapshot_date's plan year, by purchasing department.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county, county-wide projects
--   included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: department, projects, budget_wan
select
    department,
    count(*) as projects,
    sum(budget_wan) as budget_wan
from purchases
where snapshot_date = $snapshot_date
  and plan_year = year($snapshot_date)
  and in_places(township_code, county_code, $places)
group by department
order by budget_wan desc, department
