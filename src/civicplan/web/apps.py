from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "civicplan.web"
    label = "web"
    verbose_name = "Site shell"

    def ready(self) -> None:
        from civicplan.core.registry import MenuEntry, register_staff_menu

        register_staff_menu(
            MenuEntry(
                label=_("Dashboard"), url_name="web:dashboard", order=5, permission="plans.view_dashboard"
            )
        )
