"""The read-only open data API (/api/v1/): only what the public site shows, through the same selectors."""
