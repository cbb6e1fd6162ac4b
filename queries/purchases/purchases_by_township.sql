-- This plan year's purchased services per township at $snapshot_date (county-wide projects excluded).
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = every township).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
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
  and in_places(t.township_code, t.county_code, $places)
order by budget_wan desc, t.township_code
