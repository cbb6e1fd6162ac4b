-- A city's or province's own targets of one plan year (the division_targets file beside the counties; none
-- when absent): where a metric has a row here, it is the division's goal instead of one worked out from its counties.
-- Parameters: $scope VARCHAR (the division's code, 2 or 4 digits), $plan_year INTEGER.
-- Columns: metric_key, target_label, goal_value, comparator, scope, responsible_unit, sort_order
select
    t.metric_key,
    t.target_label,
    t.goal_value,
    t.comparator,
    t.scope,
    t.responsible_unit,
    m.sort_order
from division_targets t
join enum_labels m on m.enum_name = 'metric' and m.code = t.metric_key
where t.division_code = $scope
  and t.plan_year = $plan_year
order by m.sort_order
