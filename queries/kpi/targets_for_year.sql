-- The targets of one plan year, as recorded in the snapshot $snapshot_date.
-- Parameters: $snapshot_date DATE, $plan_year INTEGER.
-- Columns: metric_key, target_label, goal_value, comparator, scope, responsible_unit, sort_order
select
    t.metric_key,
    t.target_label,
    t.goal_value,
    t.comparator,
    t.scope,
    t.responsible_unit,
    m.sort_order
from targets t
join enum_labels m on m.enum_name = 'metric' and m.code = t.metric_key
where t.snapshot_date = $snapshot_date
  and t.plan_year = $plan_year
order by m.sort_order
