"""Engagement pages: public surveys (namespace `surveys`) and staff pages (namespace `engagement`, under
/staff/engagement/). Each views module lists its own routes."""

from django.urls import URLPattern

from civicplan.engagement.views import imports, public, staff

public_patterns: list[URLPattern] = [*public.urlpatterns]
staff_patterns: list[URLPattern] = [*staff.urlpatterns, *imports.urlpatterns]
