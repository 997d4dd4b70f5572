"""Indicator pages: public (namespace `performance`) and staff (namespace `indicators`, under /staff/indicators/)."""

from django.urls import URLPattern

public_patterns: list[URLPattern] = []

staff_patterns: list[URLPattern] = []
