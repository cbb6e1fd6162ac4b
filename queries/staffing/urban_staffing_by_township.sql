-- Urban-community staffing per township at $snapshot_date, for the county-level drill chart.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = every township), $min_certified INTEGER.
-- Columns: township_code, township_name, urban_communities, certified_in_urban_communities,
--   average_certified_per_urban_community, urban_communities_meeting_minimum, share_meeting_minimum,
--   total_shortfall, communities, communities_served
with per_township as (
    select *
    from township_staffing($min_certified)
    where snapshot_date = $snapshot_date
      and ($townships is null or list_contains($townships, township_code))
),

final as (
    select
        t.township_code,
        t.township_name,
        coalesce(p.urban_communities, 0) as urban_communities,
        coalesce(p.certified_in_urban_communities, 0) as certified_in_urban_communities,
        p.certified_in_urban_communities / nullif(p.urban_communities, 0) as average_certified_per_urban_community,
        coalesce(p.urban_communities_meeting_minimum, 0) as urban_communities_meeting_minimum,
        100.0 * p.urban_communities_meeting_minimum / nullif(p.urban_communities, 0) as share_meeting_minimum,
        coalesce(p.total_shortfall, 0) as total_shortfall,
        coalesce(p.communities, 0) as communities,
        coalesce(p.communities_served, 0) as communities_served
    from townships t
    left join per_township p using (township_code)
    where t.snapshot_date = $snapshot_date
      and ($townships is null or list_contains($townships, t.township_code))
)

select * from final
order by township_code
