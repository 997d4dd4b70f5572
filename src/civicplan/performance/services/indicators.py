"""Indicator definitions, targets, links to the plan, publishing, and values entered one at a time."""
