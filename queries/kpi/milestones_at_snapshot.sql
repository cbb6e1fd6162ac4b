-- The plan's steps and measures with their recorded state at $snapshot_date.
-- Parameters: $snapshot_date DATE.
-- Columns: milestone_id, title, kind, kind_label, lead_department, start_date, due_date, status,
--   status_label, done_date
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
    m.done_date
from milestones m
join enum_labels k on k.enum_name = 'milestone_kind' and k.code = m.kind
join enum_labels s on s.enum_name = 'milestone_status' and s.code = m.status
where m.snapshot_date = $snapshot_date
order by m.due_date, m.milestone_id
