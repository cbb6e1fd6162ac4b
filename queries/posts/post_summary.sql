-- One row of post figures at $snapshot_date for the filter, plus the county-level posts a township
-- filter leaves out (posts of county departments have no township).
-- Parameters: $snapshot_date DATE, $previous_date DATE (NULL = no earlier snapshot), $places VARCHAR[] (the place
--   filter).
-- $scope VARCHAR: the division whose county-level posts count (a store of many counties: the places' county or
--   division; NULL = every county's).
-- Columns: posts, filled_posts, vacant_posts, new_this_year, new_since_previous, institution_posts,
--   institution_main_professional_posts, institution_main_professional_share, county_level_posts
with all_posts as (
    select p.*, s.group_code as sector_group
    from posts p
    join enum_labels s on s.enum_name = 'sector' and s.code = p.sector
    where p.snapshot_date = $snapshot_date
),

scoped as (
    select * from all_posts
    where in_places(township_code, county_code, $places)
),

totals as (
    select
        count(*) as posts,
        count(*) filter (where is_filled) as filled_posts,
        count(*) filter (where not is_filled) as vacant_posts,
        count(*) filter (where created_date >= make_date(year($snapshot_date), 1, 1)) as new_this_year,
        count(*) filter (where created_date > $previous_date) as new_since_previous,
        count(*) filter (where sector_group = 'institution') as institution_posts,
        count(*) filter (where sector_group = 'institution' and is_main_professional)
            as institution_main_professional_posts
    from scoped
),

final as (
    select
        totals.*,
        100.0 * institution_main_professional_posts / nullif(institution_posts, 0)
            as institution_main_professional_share,
        (
            select count(*) from all_posts
            where township_code is null and ($scope is null or starts_with(county_code, $scope))
        ) as county_level_posts
    from totals
)

select * from final
