from django.urls import path

from civicplan.web import dashboards, search, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search.search, name="search"),
    path("staff/dashboard/", dashboards.plan_dashboard, name="dashboard"),
    path(
        "staff/dashboard/departments/<int:department_id>/",
        dashboards.department_dashboard,
        name="department-dashboard",
    ),
    path("staff/dashboard/council/", dashboards.council_summary, name="council-summary"),
]
