"""Reports: the report card and the quarterly, annual and accomplishments reports (HTML, tagged PDF, XLSX),
StratML, and publishing the public site as static files. Layer 6: reads other modules through their selectors,
services and exporters only."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "civicplan.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from civicplan.core.registry import MenuEntry, register_plan_import_extra, register_staff_menu
        from civicplan.reports.stratml_import import INDICATOR_IMPORT

        # A StratML Part 2 file's indicators are created with the plan it imports (plans may not write them).
        register_plan_import_extra(INDICATOR_IMPORT)

        register_staff_menu(
            MenuEntry(
                label=_("Reports"), url_name="reports:index", order=60, permission="reports.view_reports"
            )
        )
