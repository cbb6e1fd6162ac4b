-- How many urban communities have 0, 1, 2, 3 or more certified social workers at $snapshot_date.
-- Every bucket is listed, empty ones with 0.
-- Parameters: $snapshot_date DATE, $townships VARCHAR[] (NULL = whole county).
-- Columns: certified_bucket, bucket_order, urban_communities
with buckets as (
    select * from (values ('0', 0), ('1', 1), ('2', 2), ('3+', 3)) as b(certified_bucket, bucket_order)
),

urban as (
    select case when certified_workers >= 3 then '3+' else certified_workers::varchar end as certified_bucket
    from community_staffing
    where snapshot_date = $snapshot_date
      and community_kind = 'urban_community'
      and ($townships is null or list_contains($townships, township_code))
),

final as (
    select b.certified_bucket, b.bucket_order, count(u.certified_bucket) as urban_communities
    from buckets b
    left join urban u using (certified_bucket)
    group by b.certified_bucket, b.bucket_order
)

select * from final
order by bucket_order
