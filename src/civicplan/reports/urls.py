"""Report pages: public (namespace `reporting`) and staff (namespace `reports`, under /staff/reports/).
Each views module lists its own routes; add them here."""

from django.urls import URLPattern

from civicplan.reports.views import data, public, staff, stratml

public_patterns: list[URLPattern] = [*public.urlpatterns, *stratml.urlpatterns, *data.urlpatterns]
staff_patterns: list[URLPattern] = [*staff.urlpatterns]
