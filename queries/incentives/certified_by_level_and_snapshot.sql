-- Certified social workers by certificate level at every snapshot from $from_date to $to_date.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (NULL = whole county).
-- Columns: snapshot_date, certificate_level, certificate_level_label, people
with levels as (
    select code, label, sort_order
    from enum_labels
    where enum_name = 'certificate_level' and code <> 'none'
),

snapshots as (
    select distinct snapshot_date
    from townships
    where snapshot_date between $from_date and $to_date
),

counts as (
    select snapshot_date, certificate_level, count(*) as people
    from people
    where snapshot_date between $from_date and $to_date
      and certificate_level <> 'none'
      and ($townships is null or list_contains($townships, township_code))
    group by snapshot_date, certificate_level
),

final as (
    select
        s.snapshot_date,
        l.code as certificate_level,
        l.label as certificate_level_label,
        coalesce(c.people, 0) as people,
        l.sort_order
    from snapshots s
    cross join levels l
    left join counts c on c.snapshot_date = s.snapshot_date and c.certificate_level = l.code
)

select snapshot_date, certificate_level, certificate_level_label, people
from final
order by snapshot_date, sort_order
