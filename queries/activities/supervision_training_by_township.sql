-- Supervision and training held in each township this year up to $snapshot_date; townships with none
-- show zeros (county-level events have no township and are not counted here).
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = every township).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: township_code, township_name, supervision_sessions, training_sessions, attendees, hours
with held as (
    select *
    from activities
    where snapshot_date = $snapshot_date
      and activity_kind in ('supervision', 'training')
      and activity_date between make_date(year($snapshot_date), 1, 1) and $snapshot_date
),

per_township as (
    select
        township_code,
        count(*) filter (where activity_kind = 'supervision') as supervision_sessions,
        count(*) filter (where activity_kind = 'training') as training_sessions,
        sum(attendees)::integer as attendees,
        sum(hours) as hours
    from held
    group by township_code
),

final as (
    select
        t.township_code,
        t.township_name,
        coalesce(p.supervision_sessions, 0) as supervision_sessions,
        coalesce(p.training_sessions, 0) as training_sessions,
        coalesce(p.attendees, 0) as attendees,
        coalesce(p.hours, 0) as hours
    from townships t
    left join per_township p using (township_code)
    where t.snapshot_date = $snapshot_date
      and in_places(t.township_code, t.county_code, $places)
)

select * from final
order by supervision_sessions + training_sessions, township_code
