"""Budget pages: public "Where the money goes" (namespace `money`, under /budget/) and staff pages (namespace
`budget`, under /staff/budget/). Each views module lists its own routes."""

from django.urls import URLPattern

from civicplan.budget.views import alignment, calendar, imports, public, requests

public_patterns: list[URLPattern] = [*public.urlpatterns]

staff_patterns: list[URLPattern] = [
    *alignment.urlpatterns,
    *imports.urlpatterns,
    *requests.urlpatterns,
    *calendar.urlpatterns,
]
