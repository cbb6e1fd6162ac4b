-- Social-work posts by kind of setting at $snapshot_date: township/community platforms, institutions where
-- social work is the main professional post, key sectors; every kind listed, zeros included.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county, county-level posts
--   included).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: sector_group, sector_group_label, posts, filled_posts, vacant_posts, main_professional_posts,
--   main_professional_share
with scoped_posts as (
    select p.*, s.group_code as sector_group
    from posts p
    join enum_labels s on s.enum_name = 'sector' and s.code = p.sector
    where p.snapshot_date = $snapshot_date
      and in_places(p.township_code, p.county_code, $places)
),

per_group as (
    select
        sector_group,
        count(*) as posts,
        count(*) filter (where is_filled) as filled_posts,
        count(*) filter (where not is_filled) as vacant_posts,
        count(*) filter (where is_main_professional) as main_professional_posts
    from scoped_posts
    group by sector_group
),

final as (
    select
        g.code as sector_group,
        g.label as sector_group_label,
        coalesce(p.posts, 0) as posts,
        coalesce(p.filled_posts, 0) as filled_posts,
        coalesce(p.vacant_posts, 0) as vacant_posts,
        coalesce(p.main_professional_posts, 0) as main_professional_posts,
        100.0 * p.main_professional_posts / nullif(p.posts, 0) as main_professional_share,
        g.sort_order
    from enum_labels g
    left join per_group p on p.sector_group = g.code
    where g.enum_name = 'sector_group'
)

select sector_group, sector_group_label, posts, filled_posts, vacant_posts, main_professional_posts,
    main_professional_share
from final
order by sort_order
