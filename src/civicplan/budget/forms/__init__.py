"""Forms of the budget pages, one file per area (imports, alignment, requests, calendar)."""
