-- Activities held this year up to $snapshot_date by kind and mode (线上/线下); every pair listed.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county, county-level events
--   included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: activity_kind, activity_kind_label, mode, mode_label, sessions, attendees, hours
with held as (
    select *
    from activities
    where snapshot_date = $snapshot_date
      and activity_date between make_date(year($snapshot_date), 1, 1) and $snapshot_date
      and in_places(township_code, county_code, $places)
),

pairs as (
    select k.code as activity_kind, k.label as activity_kind_label, k.sort_order as kind_order,
           m.code as mode, m.label as mode_label, m.sort_order as mode_order
    from enum_labels k
    cross join enum_labels m
    where k.enum_name = 'activity_kind' and m.enum_name = 'activity_mode'
),

final as (
    select
        p.activity_kind,
        p.activity_kind_label,
        p.mode,
        p.mode_label,
        count(h.activity_id) as sessions,
        coalesce(sum(h.attendees), 0)::integer as attendees,
        coalesce(sum(h.hours), 0) as hours,
        p.kind_order,
        p.mode_order
    from pairs p
    left join held h on h.activity_kind = p.activity_kind and h.mode = p.mode
    group by all
)

select activity_kind, activity_kind_label, mode, mode_label, sessions, attendees, hours
from final
order by kind_order, mode_order
