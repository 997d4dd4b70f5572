from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "civicplan.plans"
    label = "plans"
    verbose_name = "Strategic plans"

    def ready(self) -> None:
        from civicplan.core.registry import MenuEntry, register_staff_menu

        register_staff_menu(
            MenuEntry(
                label=_("Staff workspace"), url_name="staff:home", order=10, permission="plans.view_draft"
            )
        )
        register_staff_menu(
            MenuEntry(
                label=_("My updates"), url_name="staff:my-updates", order=20, permission="plans.view_draft"
            )
        )
