-- The plan's steps and measures at $snapshot_date, with where each stands against that date:
-- done (on or before its due date), done_late, overdue (not done, due date passed), on_time, not_started.
-- The timeline rule is also milestone_counts_by_step's (tests/test_hierarchy_levels.py holds the two equal).
-- Parameters: $snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits: the steps of its counties' plans,
--   in a store of many counties; NULL = every step of the store, as in a single county's store).
-- Columns: milestone_id, title, kind, kind_label, lead_department, start_date, due_date, status,
--   status_label, done_date, timeline_status, timeline_label, days_overdue
with milestones_at_date as (
    select
        m.*,
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
),

final as (
    select
        m.milestone_id,
        m.title,
        m.kind,
        k.label as kind_label,
        m.lead_department,
        m.start_date,
        m.due_date,
        m.status,
        s.label as status_label,
        m.done_date,
        m.timeline_status,
        t.label as timeline_label,
        case when m.timeline_status = 'overdue' then date_diff('day', m.due_date, $snapshot_date) end
            as days_overdue
    from milestones_at_date m
    join enum_labels k on k.enum_name = 'milestone_kind' and k.code = m.kind
    join enum_labels s on s.enum_name = 'milestone_status' and s.code = m.status
    join enum_labels t on t.enum_name = 'milestone_timeline' and t.code = m.timeline_status
)

select * from final
order by start_date nulls first, due_date, milestone_id
