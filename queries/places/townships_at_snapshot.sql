-- Every township of the county at $snapshot_date, in division-code order.
-- Parameters: $snapshot_date DATE.
-- Columns: township_code, township_name, township_kind, township_kind_label
select
    t.township_code,
    t.township_name,
    t.township_kind,
    k.label as township_kind_label
from townships t
join enum_labels k on k.enum_name = 'township_kind' and k.code = t.township_kind
where t.snapshot_date = $snapshot_date
order by t.township_code
