-- Derived table community_staffing for one snapshot: the social workers serving each village/community,
-- and its rank by need. Runs at write time over that snapshot's own files (no snapshot_date column);
-- see socialwork/data/aggregates.py.
-- Parameters: $min_certified INTEGER (certified social workers an urban community should have: the plan's 2).
-- Columns: community_code, township_code, community_name, community_kind, urban_rural_code, social_workers,
--   certified_workers, need_rank
with served as (
    select
        community_code,
        count(*) as social_workers,
        count(*) filter (where certificate_level <> 'none') as certified_workers
    from people
    where community_code is not null
    group by community_code
),

staffed as (
    select
        c.community_code,
        c.township_code,
        c.community_name,
        c.community_kind,
        c.urban_rural_code,
        coalesce(s.social_workers, 0) as social_workers,
        coalesce(s.certified_workers, 0) as certified_workers
    from communities c
    left join served s using (community_code)
)

select
    *,
    -- The order of the lists of communities most in need: largest shortfall of an urban community first,
    -- then those no social worker serves. Ties in township and community order, so the rank is unique.
    row_number() over (
        order by
            case when community_kind = 'urban_community' then greatest($min_certified - certified_workers, 0)
                else 0 end desc,
            social_workers = 0 desc,
            township_code,
            community_code
    ) as need_rank
from staffed
-- Written in need order: a "most in need first" list stops after the first row groups (their need_rank
-- statistics let the scan skip the rest), and a township filter costs a scan of the narrow township column.
order by need_rank
