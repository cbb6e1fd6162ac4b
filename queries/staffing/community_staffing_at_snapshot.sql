-- Every village/community in scope at $snapshot_date with the social workers serving it, the change
-- since $previous_date, and, for urban communities, whether it meets the minimum and by how many it falls short.
-- At most $max_rows rows: when the scope holds more, those furthest from the rule are listed (largest shortfall
-- first, then those no social worker serves); otherwise in township and community order.
-- Parameters: $snapshot_date DATE, $previous_date DATE (NULL = no earlier snapshot),
--   $townships VARCHAR[] (township codes; NULL = whole county), $min_certified INTEGER (the 2-per-community rule),
--   $max_rows BIGINT (NULL = every village/community).
-- Columns: township_code, township_name, community_code, community_name, community_kind, community_kind_label,
--   urban_rural_code, urban_rural_label, certified_workers, social_workers, certified_change,
--   meets_minimum, shortfall
with current_staffing as (
    select
        *,
        case when community_kind = 'urban_community' then greatest($min_certified - certified_workers, 0) end
            as shortfall,
        count(*) over () as communities_in_scope
    from community_staffing
    where snapshot_date = $snapshot_date
      and ($townships is null or list_contains($townships, township_code))
),

listed as (
    select
        *,
        row_number() over (
            order by
                case when communities_in_scope > $max_rows then coalesce(shortfall, 0) end desc,
                case when communities_in_scope > $max_rows then social_workers = 0 end desc,
                township_code,
                community_code
        ) as list_order
    from current_staffing
    qualify $max_rows is null or list_order <= $max_rows
),

previous_staffing as (
    select community_code, certified_workers
    from community_staffing
    where snapshot_date = $previous_date
),

final as (
    select
        s.township_code,
        t.township_name,
        s.community_code,
        c.community_name,
        s.community_kind,
        k.label as community_kind_label,
        c.urban_rural_code,
        u.label as urban_rural_label,
        s.certified_workers,
        s.social_workers,
        s.certified_workers - p.certified_workers as certified_change,
        case when s.community_kind = 'urban_community' then s.certified_workers >= $min_certified end
            as meets_minimum,
        s.shortfall,
        s.list_order
    from listed s
    join communities c on c.snapshot_date = s.snapshot_date and c.community_code = s.community_code
    join townships t on t.snapshot_date = s.snapshot_date and t.township_code = s.township_code
    join enum_labels k on k.enum_name = 'community_kind' and k.code = s.community_kind
    join enum_labels u on u.enum_name = 'urban_rural_code' and u.code = c.urban_rural_code
    left join previous_staffing p on p.community_code = s.community_code
)

select * exclude (list_order) from final
order by list_order
