-- The figures behind the scale-free targets (the parts of every ratio figure), one row per township and requested
-- snapshot, read from the derived table township_figures (written with each snapshot; see
-- socialwork/data/storage/aggregates.py).
-- Generated from the figures declared in socialwork/data/contract/plan_figures.py (PLAN_FIGURES) by `python -m
-- socialwork generate`: change the declarations, not this file.
-- Parameters: $snapshot_dates DATE[] (e.g. the as-of date and its baseline), $places VARCHAR[] (the place filter, read
--   by in_places: NULL = everywhere, one division code, or township codes).
-- Columns: snapshot_date, township_code, township_name, township_kind_label, urban_communities,
--   certified_in_urban_communities, urban_communities_2plus, townships, townships_served, communities,
--   communities_served, community_workers, certified_community_workers, organisation_staff,
--   organisation_professional_staff
select
    f.snapshot_date,
    f.township_code,
    t.township_name,
    k.label as township_kind_label,
    f.urban_communities,
    f.certified_in_urban_communities,
    f.urban_communities_2plus,
    f.townships,
    f.townships_served,
    f.communities,
    f.communities_served,
    f.community_workers,
    f.certified_community_workers,
    f.organisation_staff,
    f.organisation_professional_staff
from township_figures f
join townships t
    on list_contains($snapshot_dates, t.snapshot_date)  -- stated, so only those partitions are read
    and t.snapshot_date = f.snapshot_date and t.township_code = f.township_code
join enum_labels k on k.enum_name = 'township_kind' and k.code = t.township_kind
where list_contains($snapshot_dates, f.snapshot_date)
  and in_places(f.township_code, null, $places)  -- township rows only: the prefix reaches the scan
order by f.snapshot_date, f.township_code
