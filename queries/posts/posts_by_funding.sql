-- Social-work posts by funding at $snapshot_date: every funding kind, zeros included.
-- Parameters: $snapshot_date DATE, $places VARCHAR[] (the place filter; NULL = whole county).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: funding, funding_label, posts, filled_posts, vacant_posts
with scoped_posts as (
    select *
    from posts
    where snapshot_date = $snapshot_date
      and in_places(township_code, county_code, $places)
),

per_funding as (
    select
        funding,
        count(*) as posts,
        count(*) filter (where is_filled) as filled_posts,
        count(*) filter (where not is_filled) as vacant_posts
    from scoped_posts
    group by funding
),

final as (
    select
        f.code as funding,
        f.label as funding_label,
        coalesce(p.posts, 0) as posts,
        coalesce(p.filled_posts, 0) as filled_posts,
        coalesce(p.vacant_posts, 0) as vacant_posts,
        f.sort_order
    from enum_labels f
    left join per_funding p on p.funding = f.code
    where f.enum_name = 'funding'
)

select funding, funding_label, posts, filled_posts, vacant_posts
from final
order by sort_order
