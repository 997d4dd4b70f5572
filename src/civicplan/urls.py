"""Composes each module's url lists: public pages and staff pages under /en/ and /es/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from civicplan.accounts import urls as account_urls
from civicplan.api.endpoints import api
from civicplan.budget import urls as budget_urls
from civicplan.engagement import urls as engagement_urls
from civicplan.insights import urls as insight_urls
from civicplan.performance import urls as performance_urls
from civicplan.plans import urls as plan_urls
from civicplan.reports import urls as report_urls
from civicplan.web import views as web_views

urlpatterns = [
    path("language/<str:language>/", web_views.switch_language, name="switch-language"),
    path("healthz", web_views.health, name="health"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", include("civicplan.web.urls")),
    path("", include((plan_urls.public_patterns, "plans"))),
    path("", include((performance_urls.public_patterns, "performance"))),
    path("budget/", include((budget_urls.public_patterns, "money"))),
    path("", include((engagement_urls.public_patterns, "surveys"))),
    path("", include((insight_urls.public_patterns, "voice"))),
    path("", include((report_urls.public_patterns, "reporting"))),
    path("staff/", include((plan_urls.staff_patterns, "staff"))),
    path("staff/indicators/", include((performance_urls.staff_patterns, "indicators"))),
    path("staff/budget/", include((budget_urls.staff_patterns, "budget"))),
    path("staff/engagement/", include((engagement_urls.staff_patterns, "engagement"))),
    path("staff/insights/", include((insight_urls.staff_patterns, "insights"))),
    path("staff/reports/", include((report_urls.staff_patterns, "reports"))),
    path("accounts/", include("civicplan.accounts.urls")),
    path("staff/people/", include((account_urls.staff_patterns, "people"))),
    prefix_default_language=True,
)

handler404 = "civicplan.web.views.not_found"
handler500 = "civicplan.web.views.server_error"
handler403 = "civicplan.web.views.forbidden"
