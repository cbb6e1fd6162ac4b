-- Every village/community in scope at $snapshot_date with the social workers serving it, the change
-- since $previous_date, and, for urban communities, whether it meets the minimum and by how many it falls short.
-- At most $max_rows rows: when the scope holds more, those furthest from the rule are listed (largest shortfall
-- first, then those no social worker serves); otherwise in township and community order.
-- Parameters: $snapshot_date DATE, $previous_date DATE (NULL = no earlier snapshot),
--   $places VARCHAR[] (the place filter; NULL = whole county), $min_certified INTEGER (the
--   2-per-community rule),
--   $max_rows BIGINT (NULL = every village/community).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- county_name is the county's name from the divisions table: township names repeat across counties.
-- county_has_previous: whether the community's county has the $previous_date snapshot (a county may miss a month:
-- certified_change is then empty for a reason the page states); NULL without $previous_date.
-- Columns: county_name, township_code, township_name, community_code, community_name, community_kind,
--   community_kind_label, urban_rural_code, urban_rural_label, certified_workers, social_workers, certified_change,
--   meets_minimum, shortfall, county_has_previous
with in_scope as (
    -- From township_figures (held in memory): counting here would read the snapshot's file a second time.
    select coalesce(sum(communities), 0) as communities
    from township_figures
    where snapshot_date = $snapshot_date
      and in_places(township_code, county_code, $places)
),

listed as (
    -- Most in need first: community_staffing.need_rank's terms, since the rank itself is each county's own (a city's
    -- list interleaves its counties by shortfall, not by rank).
    select
        *,
        case when community_kind = 'urban_community' then greatest($min_certified - certified_workers, 0) else 0 end
            as need_shortfall
    from community_staffing
    where snapshot_date = $snapshot_date
      and in_places(township_code, county_code, $places)
    order by need_shortfall desc, social_workers = 0 desc, township_code, community_code
    limit coalesce($max_rows, 9223372036854775807)
),

previous_staffing as (
    select community_code, certified_workers
    from community_staffing
    where snapshot_date = $previous_date
      and community_code in (select community_code from listed)
),

counties_with_previous as (
    -- In a store of many counties a county may have missed the previous month.
    select distinct county_code
    from county_figures
    where snapshot_date = $previous_date
),

final as (
    select
        coalesce(d.division_name, s.county_code) as county_name,
        s.township_code,
        t.township_name,
        s.community_code,
        s.community_name,
        s.community_kind,
        k.label as community_kind_label,
        s.urban_rural_code,
        u.label as urban_rural_label,
        s.certified_workers,
        s.social_workers,
        s.certified_workers - p.certified_workers as certified_change,
        case when s.community_kind = 'urban_community' then s.certified_workers >= $min_certified end
            as meets_minimum,
        case when s.community_kind = 'urban_community' then greatest($min_certified - s.certified_workers, 0) end
            as shortfall,
        -- Worst first only when the list is cut, else plain township and community order.
        case when $previous_date is not null then c.county_code is not null end as county_has_previous,
        case when i.communities > $max_rows then row_number() over (
            order by s.need_shortfall desc, s.social_workers = 0 desc, s.township_code, s.community_code
        ) else 0 end as order_key
    from listed s
    cross join in_scope i
    join townships t
        on t.snapshot_date = $snapshot_date and t.snapshot_date = s.snapshot_date and t.township_code = s.township_code
    join enum_labels k on k.enum_name = 'community_kind' and k.code = s.community_kind
    join enum_labels u on u.enum_name = 'urban_rural_code' and u.code = s.urban_rural_code
    left join previous_staffing p on p.community_code = s.community_code
    left join divisions d on d.division_code = s.county_code
    left join counties_with_previous c on c.county_code is not distinct from s.county_code
)

select * exclude (order_key) from final
order by order_key, township_code, community_code
