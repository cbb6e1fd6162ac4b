-- Certified social workers by certificate level at every snapshot from $from_date to $to_date, summed from
-- the derived table township_figures (one certified_<level> column per level).
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (NULL = whole county).
-- Columns: snapshot_date, certificate_level, certificate_level_label, people
with totals as (
    select
        snapshot_date,
        sum(certified_assistant * in_scope)::bigint as assistant,
        sum(certified_intermediate * in_scope)::bigint as intermediate,
        sum(certified_senior * in_scope)::bigint as senior
    from (
        select
            *,
            case when $townships is null or list_contains($townships, township_code) then 1 else 0 end as in_scope
        from township_figures
        where snapshot_date between $from_date and $to_date
    )
    group by snapshot_date
),

by_level as (
    unpivot totals on assistant, intermediate, senior into name certificate_level value people
)

select b.snapshot_date, b.certificate_level, l.label as certificate_level_label, b.people
from by_level b
join enum_labels l on l.enum_name = 'certificate_level' and l.code = b.certificate_level
order by b.snapshot_date, l.sort_order
