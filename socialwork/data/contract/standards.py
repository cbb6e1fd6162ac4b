"""The plan's standards: numbers the plan sets, which queries take as parameters."""

from __future__ import annotations

# The plan: 力争平均每个城市社区有2名以上社会工作专业人才. Queries take it as $min_certified;
# the derived table township_figures is written with it.
URBAN_COMMUNITY_MIN_CERTIFIED = 2

# The plan: 给予入选者每人0.15万元的一次性奖励. Queries take it as $award_wan.
AWARD_WAN_PER_PERSON = 0.15

# Resident social workers a township station usually has (two, bought through government purchase of services):
# the stations page counts the stations below it. Queries take it as $min_residents.
STATION_MIN_RESIDENT_WORKERS = 2
