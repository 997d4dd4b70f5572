"""Reporting periods and progress updates: what is owed, submitted, reviewed and published."""
