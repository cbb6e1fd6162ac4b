-- Macro township_staffing(min_certified): per snapshot and township, the urban-community staffing and
-- village/community coverage figures that every staffing query adds up. Created once per connection, over the
-- derived table community_staffing written with each snapshot.
-- Columns: snapshot_date, township_code, communities, communities_served, communities_without_social_worker,
--   urban_communities, certified_in_urban_communities, urban_communities_meeting_minimum, total_shortfall
create macro township_staffing(min_certified) as table
select
    snapshot_date,
    township_code,
    count(*) as communities,
    count(*) filter (where social_workers > 0) as communities_served,
    count(*) filter (where social_workers = 0) as communities_without_social_worker,
    count(*) filter (where community_kind = 'urban_community') as urban_communities,
    coalesce(sum(certified_workers) filter (where community_kind = 'urban_community'), 0)::integer
        as certified_in_urban_communities,
    count(*) filter (where community_kind = 'urban_community' and certified_workers >= min_certified)
        as urban_communities_meeting_minimum,
    coalesce(
        sum(greatest(min_certified - certified_workers, 0)) filter (where community_kind = 'urban_community'), 0
    )::integer as total_shortfall
from community_staffing
group by snapshot_date, township_code
