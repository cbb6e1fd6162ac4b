-- Each step or measure of the plan over the counties within $scope at $snapshot_date: how many counties have it and
-- how many stand where (done, done_late, overdue, on_time, not_started; the rule of milestones_at_snapshot, held
-- equal by tests/test_hierarchy_levels.py), for a city's or province's view, where every county's steps one by one
-- would be thousands of rows. A step is known by its id and title; its due date is the earliest any county set.
-- Parameters: $snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = every county).
-- Columns: milestone_id, title, kind_label, due_date, counties, done, done_late, overdue, on_time, not_started
with steps as (
    select
        m.milestone_id,
        m.title,
        m.kind,
        m.due_date,
        case
            when m.status = 'done' and coalesce(m.done_date, m.due_date) <= m.due_date then 'done'
            when m.status = 'done' then 'done_late'
            when m.due_date < $snapshot_date then 'overdue'
            when m.start_date > $snapshot_date then 'not_started'
            else 'on_time'
        end as timeline_status
    from milestones m
    where m.snapshot_date = $snapshot_date
      and ($scope is null or starts_with(m.county_code, left($scope, 6)))
)

select
    s.milestone_id,
    s.title,
    any_value(k.label) as kind_label,
    min(s.due_date) as due_date,
    count(*) as counties,
    count(*) filter (where s.timeline_status = 'done') as done,
    count(*) filter (where s.timeline_status = 'done_late') as done_late,
    count(*) filter (where s.timeline_status = 'overdue') as overdue,
    count(*) filter (where s.timeline_status = 'on_time') as on_time,
    count(*) filter (where s.timeline_status = 'not_started') as not_started
from steps s
join enum_labels k on k.enum_name = 'milestone_kind' and k.code = s.kind
group by s.milestone_id, s.title
order by due_date, s.milestone_id
