-- Certified social workers by certificate level at every snapshot from $from_date to $to_date, read from the
-- derived tables (one certified_<level> column per level): county_figures summed over the counties of the scope
-- (one row per date for a single county's store), township_figures summed for chosen townships.
-- Parameters: $from_date DATE, $to_date DATE, $townships VARCHAR[] (NULL = whole county).
-- $scope VARCHAR: a division code (2, 4 or 6 digits) whose places alone count; NULL = everywhere.
-- Columns: snapshot_date, certificate_level, certificate_level_label, people
with county as (
    select
        snapshot_date,
        sum(certified_assistant) as certified_assistant,
        sum(certified_intermediate) as certified_intermediate,
        sum(certified_senior) as certified_senior
    from county_figures
    where $townships is null and snapshot_date between $from_date and $to_date
      and ($scope is null or starts_with(county_code, $scope))
    group by snapshot_date
),

chosen_townships as (
    select
        d.snapshot_date,
        coalesce(sum(t.certified_assistant), 0) as certified_assistant,
        coalesce(sum(t.certified_intermediate), 0) as certified_intermediate,
        coalesce(sum(t.certified_senior), 0) as certified_senior
    from (select distinct snapshot_date from county_figures) d
    left join township_figures t
        on t.snapshot_date = d.snapshot_date and list_contains($townships, t.township_code)
    where $townships is not null and d.snapshot_date between $from_date and $to_date
    group by d.snapshot_date
),

totals as (
    select * from county
    union all by name
    select * from chosen_townships
),

by_level as (
    unpivot totals
    on certified_assistant as assistant, certified_intermediate as intermediate, certified_senior as senior
    into name certificate_level value people
)

select b.snapshot_date, b.certificate_level, l.label as certificate_level_label, b.people::bigint as people
from by_level b
join enum_labels l on l.enum_name = 'certificate_level' and l.code = b.certificate_level
order by b.snapshot_date, l.sort_order
