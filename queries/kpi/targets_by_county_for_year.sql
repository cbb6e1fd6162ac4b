-- The targets of one plan year of every county within $scope, each as recorded in that county's latest snapshot on or
-- before $snapshot_date (a county late with this month still has its goals): the parts a city's or province's goals
-- are worked out from (socialwork/figures/metrics/levels.py).
-- Parameters: $snapshot_date DATE, $plan_year INTEGER, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL =
--   every county).
-- Columns: county_code, metric_key, target_label, goal_value, comparator, scope, sort_order
with latest as (
    select county_code, max(snapshot_date) as snapshot_date
    from targets
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
    m.sort_order
from targets t
join latest l on l.county_code is not distinct from t.county_code and l.snapshot_date = t.snapshot_date
join enum_labels m on m.enum_name = 'metric' and m.code = t.metric_key
where t.plan_year = $plan_year
order by t.county_code, m.sort_order
