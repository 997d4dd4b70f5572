"""Insight: survey weighting, estimates with their uncertainty, and themes in open answers."""
