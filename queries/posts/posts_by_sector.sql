-- Social-work posts by sector at $snapshot_date: every sector of the plan, zeros included.
-- Parameters: $snapshot_date DATE, $previous_date DATE (NULL = no earlier snapshot),
--   $places VARCHAR[] (the place filter; NULL = whole county, county-level posts included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: sector, sector_label, sector_group, sector_group_label, posts, filled_posts, vacant_posts,
--   new_this_year, new_since_previous, main_professional_posts
with scoped_posts as (
    select *
    from posts
    where snapshot_date = $snapshot_date
      and in_places(township_code, county_code, $places)
),

per_sector as (
    select
        sector,
        count(*) as posts,
        count(*) filter (where is_filled) as filled_posts,
        count(*) filter (where not is_filled) as vacant_posts,
        count(*) filter (where created_date >= make_date(year($snapshot_date), 1, 1)) as new_this_year,
        count(*) filter (where created_date > $previous_date) as new_since_previous,
        count(*) filter (where is_main_professional) as main_professional_posts
    from scoped_posts
    group by sector
),

final as (
    select
        s.code as sector,
        s.label as sector_label,
        s.group_code as sector_group,
        g.label as sector_group_label,
        coalesce(p.posts, 0) as posts,
        coalesce(p.filled_posts, 0) as filled_posts,
        coalesce(p.vacant_posts, 0) as vacant_posts,
        coalesce(p.new_this_year, 0) as new_this_year,
        coalesce(p.new_since_previous, 0) as new_since_previous,
        coalesce(p.main_professional_posts, 0) as main_professional_posts,
        g.sort_order as group_order,
        s.sort_order as sector_order
    from enum_labels s
    join enum_labels g on g.enum_name = 'sector_group' and g.code = s.group_code
    left join per_sector p on p.sector = s.code
    where s.enum_name = 'sector'
)

select
    sector, sector_label, sector_group, sector_group_label, posts, filled_posts, vacant_posts, new_this_year,
    new_since_previous, main_professional_posts
from final
order by group_order, sector_order
