-- Derived table community_staffing for one snapshot: the social workers serving each village/community.
-- Runs at write time over that snapshot's own files (no snapshot_date column); see socialwork/aggregates.py.
-- Parameters: none.
-- Columns: community_code, township_code, community_name, community_kind, urban_rural_code, social_workers,
--   certified_workers
with served as (
    select
        community_code,
        count(*) as social_workers,
        count(*) filter (where certificate_level <> 'none') as certified_workers
    from people
    where community_code is not null
    group by community_code
)

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
order by c.township_code  -- sorted so a township filter skips row groups
