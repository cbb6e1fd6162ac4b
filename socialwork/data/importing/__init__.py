"""A month's registers read (workbook, clerk's sheets, CSV), checked against the contract and the store, and turned
into a snapshot; the Excel template."""
