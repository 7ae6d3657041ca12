"""Output: the atomic output folder and its table files (``write``), the lock on it, the
workbook, the report, the data dictionary, and reading the tables back (``frames``, ``show``)."""
