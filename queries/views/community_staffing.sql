-- View community_staffing: social workers serving each village/community at each snapshot.
-- Created once per connection, after the table views; queries filter it by snapshot and township.
-- Columns: snapshot_date, township_code, community_code, community_kind, social_workers, certified_workers
create view community_staffing as
select
    c.snapshot_date,
    c.township_code,
    c.community_code,
    c.community_kind,
    count(p.person_id) as social_workers,
    count(p.person_id) filter (where p.certificate_level <> 'none') as certified_workers
from communities c
left join people p
    on p.snapshot_date = c.snapshot_date and p.community_code = c.community_code
group by c.snapshot_date, c.township_code, c.community_code, c.community_kind
