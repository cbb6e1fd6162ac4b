-- Urban-community staffing per township at $snapshot_date, for the county-level drill chart, from
-- township_figures (written with each snapshot, held in memory).
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = every township).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: township_code, township_name, urban_communities, certified_in_urban_communities,
--   average_certified_per_urban_community, urban_communities_meeting_minimum, share_meeting_minimum,
--   total_shortfall, communities, communities_served
select
    t.township_code,
    t.township_name,
    coalesce(f.urban_communities, 0) as urban_communities,
    coalesce(f.certified_in_urban_communities, 0) as certified_in_urban_communities,
    f.certified_in_urban_communities / nullif(f.urban_communities, 0) as average_certified_per_urban_community,
    coalesce(f.urban_communities_2plus, 0) as urban_communities_meeting_minimum,
    100.0 * f.urban_communities_2plus / nullif(f.urban_communities, 0) as share_meeting_minimum,
    coalesce(f.urban_shortfall, 0) as total_shortfall,
    coalesce(f.communities, 0) as communities,
    coalesce(f.communities_served, 0) as communities_served
from townships t
left join township_figures f
    on f.snapshot_date = $snapshot_date and f.snapshot_date = t.snapshot_date and f.township_code = t.township_code
where t.snapshot_date = $snapshot_date
  and in_places(t.township_code, t.county_code, $places)
order by t.township_code
