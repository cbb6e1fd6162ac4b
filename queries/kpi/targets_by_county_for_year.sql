-- The targets of one plan year of every county within $scope, each as recorded in that county's latest snapshot on or
-- before $snapshot_date (a county late with this month still has its goals): the parts a city's or province's goals
-- are worked out from (socialwork/figures/metrics/levels.py).
-- Parameters: $snapshot_date DATE, $plan_year INTEGER, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL =
--   every county).
-- Columns: county_code, metric_key, target_label, goal_value, comparator, scope, responsible_unit, sort_order
with latest as (
    -- Each county's latest snapshot from county_figures (one row per county and month, held in memory): finding it in
    -- targets itself would read every month's targets of every county (the nation's: 4 million rows, 200 ms).
    select county_code, max(snapshot_date) as snapshot_date
    from county_figures
    where snapshot_date <= $snapshot_date
      and ($scope is null or starts_with(county_code, left($scope, 6)))
    group by county_code
)

select
    t.county_code,
    t.metric_key,
    t.target_label,
    t.goal_value,
    t.comparator,
    t.scope,
    t.responsible_unit,
    m.sort_order
from targets t
join latest l on l.county_code is not distinct from t.county_code and l.snapshot_date = t.snapshot_date
join enum_labels m on m.enum_name = 'metric' and m.code = t.metric_key
where t.plan_year = $plan_year
  and t.snapshot_date in (select snapshot_date from latest)  -- lets the scan skip every other month's files
order by t.county_code, m.sort_order
