"""Report pages: public (namespace `reporting`) and staff (namespace `reports`, under /staff/reports/).
Each views module lists its own routes; add them here."""

from django.urls import URLPattern

public_patterns: list[URLPattern] = []
staff_patterns: list[URLPattern] = []
