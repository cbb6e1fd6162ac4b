-- Sessions and attendees per month of $snapshot_date's year, by activity kind, up to $snapshot_date.
-- Every month from January to the snapshot's month and every kind is listed.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county, county-level events
--   included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: month, activity_kind, activity_kind_label, sessions, attendees
with months as (
    select unnest(range(1, month($snapshot_date) + 1)) as month
),

kinds as (
    select code as activity_kind, label as activity_kind_label, sort_order
    from enum_labels
    where enum_name = 'activity_kind'
),

held as (
    select month(activity_date) as month, activity_kind, attendees
    from activities
    where snapshot_date = $snapshot_date
      and activity_date between make_date(year($snapshot_date), 1, 1) and $snapshot_date
      and in_places(township_code, county_code, $places)
),

final as (
    select
        m.month,
        k.activity_kind,
        k.activity_kind_label,
        count(h.activity_kind) as sessions,
        coalesce(sum(h.attendees), 0)::integer as attendees,
        k.sort_order
    from months m
    cross join kinds k
    left join held h on h.month = m.month and h.activity_kind = k.activity_kind
    group by all
)

select month, activity_kind, activity_kind_label, sessions, attendees
from final
order by month, sort_order
