-- Projects and budget (万元) per plan year up to $snapshot_date's year, as recorded at $snapshot_date.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county, county-wide projects
--   included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: plan_year, projects, budget_wan, county_wide_budget_wan
select
    plan_year,
    count(*) as projects,
    sum(budget_wan) as budget_wan,
    coalesce(sum(budget_wan) filter (where township_code is null), 0) as county_wide_budget_wan
from purchases
where snapshot_date = $snapshot_date
  and plan_year <= year($snapshot_date)
  and in_places(township_code, county_code, $places)
group by plan_year
order by plan_year
