-- Talent cards (英才卡) issued and one-off awards per year, for people on the register at $snapshot_date,
-- every year from $from_year to the snapshot's year; the award sum is awards × $award_wan (万元).
-- Parameters: $snapshot_date DATE, $from_year INTEGER, $places VARCHAR[] (the place filter; NULL = whole county),
--   $award_wan DOUBLE (the plan: 0.15万元 per person).
-- $places is NULL, one division code (2, 4 or 6 digits, a prefix) or township codes: read by in_places (db.py).
-- Columns: year, talent_cards_issued, awards, award_sum_wan
with years as (
    select unnest(range($from_year, year($snapshot_date) + 1)) as year
),

scoped_people as (
    select *
    from people
    where snapshot_date = $snapshot_date
      and in_places(township_code, county_code, $places)
),

cards as (
    select year(talent_card_date) as year, count(*) as talent_cards_issued
    from scoped_people
    where talent_card_date is not null
    group by year(talent_card_date)
),

awards as (
    select award_year as year, count(*) as awards
    from scoped_people
    where award_year is not null
    group by award_year
),

final as (
    select
        y.year,
        coalesce(c.talent_cards_issued, 0) as talent_cards_issued,
        coalesce(a.awards, 0) as awards,
        round(coalesce(a.awards, 0) * $award_wan, 2) as award_sum_wan
    from years y
    left join cards c using (year)
    left join awards a using (year)
)

select * from final
order by year
