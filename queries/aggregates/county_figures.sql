-- Derived table county_figures for one snapshot: township_figures summed over all its rows (every township
-- and the county-level row), so the whole-county view reads one row per date.
-- Runs at write time, after township_figures of the same snapshot; see socialwork/data/aggregates.py.
-- Parameters: none.
-- Columns: as COUNTY_FIGURES in socialwork/data/contract.py (every column of township_figures but township_code).
select sum(columns(* exclude (township_code)))
from township_figures
