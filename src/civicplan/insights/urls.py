"""Insight pages: the public "You said, we did" page (namespace `voice`) and the staff pages (namespace
`insights`, under /staff/insights/). Each views module lists its own routes."""

from django.urls import URLPattern

from civicplan.insights.views import public, staff, weighting

public_patterns: list[URLPattern] = [*public.urlpatterns]
staff_patterns: list[URLPattern] = [*staff.urlpatterns, *weighting.urlpatterns]
