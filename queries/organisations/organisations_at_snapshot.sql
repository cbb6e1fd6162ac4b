-- Every registered social-work organisation at $snapshot_date with its professional staff share;
-- active ones first, lowest share first. Organisations registered at county level have no township.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county, county-level included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- Columns: organisation_id, organisation_name, county_name, township_name, registered_date, status,
--   status_label, staff, certified_staff, sw_educated_staff, professional_staff, professional_share,
--   evaluation_grade_label
select
    o.organisation_id,
    o.organisation_name,
    coalesce(d.division_name, o.county_code) as county_name,
    t.township_name,
    o.registered_date,
    o.status,
    s.label as status_label,
    o.staff,
    o.certified_staff,
    o.sw_educated_staff,
    o.professional_staff,
    100.0 * o.professional_staff / nullif(o.staff, 0) as professional_share,
    g.label as evaluation_grade_label
from organisations o
left join townships t
    on t.snapshot_date = $snapshot_date and t.snapshot_date = o.snapshot_date and t.township_code = o.township_code
left join divisions d on d.division_code = o.county_code
join enum_labels s on s.enum_name = 'organisation_status' and s.code = o.status
join enum_labels g on g.enum_name = 'evaluation_grade' and g.code = o.evaluation_grade
where o.snapshot_date = $snapshot_date
  and in_places(o.township_code, o.county_code, $places)
order by o.status <> 'active', professional_share nulls last, o.organisation_id
