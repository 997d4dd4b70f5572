"""Measurement files (CSV/XLSX): held for a preview, then written all at once or not at all."""
