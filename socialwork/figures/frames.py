"""Query results as pandas frames through Arrow, typed exactly as the query engine's own .df() types them.

.df() builds every text value as a Python object, one at a time: for a result with one row per
township at nation scale (41,000 rows) that is most of the query's time. pyarrow converts the same
result about three times faster. Pages and tests rely on .df()'s types, so the conversion maps Arrow's
types to those (tests/test_frames.py checks every query both ways).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# .df() gives a column with missing values pandas' nullable type, and one without them the plain type.
_NULLABLE = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}  # fmt: skip


def _as_df_types(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dates as microsecond timestamps and decimals (sums of integers are HUGEINT) as floats, as .df() does."""
    if pa.types.is_date(column.type):
        return column.cast(pa.timestamp("us"))
    if pa.types.is_decimal(column.type):
        return column.cast(pa.float64())
    return column


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    columns = [_as_df_types(column) for column in table.columns]
    table = pa.table(columns, names=table.column_names)
    frame = table.to_pandas()
    for position, column in enumerate(table.columns):
        if column.null_count and column.type in _NULLABLE:
            frame.isetitem(position, column.to_pandas(types_mapper=_NULLABLE.get).array)
        elif pa.types.is_string(column.type) and column.null_count == table.num_rows:
            # .df() types text with no value at all (no rows, or every one missing) as objects, each None.
            frame.isetitem(position, pd.Series([None] * table.num_rows, index=frame.index, dtype=object))
    return frame


def among(column: pd.Series, codes: Iterable[str]) -> np.ndarray:
    """column.isin(codes) for a column of codes: pandas' isin on text makes a scalar of every code it is given (a
    nation's 2,800 counties, 10 ms a call); Arrow's is_in takes them as one array."""
    values = pa.array(column)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return column.isin(list(codes)).to_numpy(dtype=bool)  # not text (no value at all): pandas' own
    wanted = pa.array(list(codes), type=values.type)
    return np.asarray(pc.is_in(values, value_set=wanted).fill_null(False), dtype=bool)


def as_dates(column: pd.Series) -> pd.Series:
    """column's timestamps as datetime.date objects, as .dt.date gives them, one object per distinct day: a nation's
    figures by county and month are 100,000 rows of 36 dates, and making a date for each row took 10-80 ms."""
    codes, days = pd.factorize(pd.to_datetime(column))
    dates = np.array([*(day.date() for day in days), pd.NaT], dtype=object)  # -1, a missing day: NaT as .dt.date
    return pd.Series(dates[codes], index=column.index, dtype=object, name=column.name)
