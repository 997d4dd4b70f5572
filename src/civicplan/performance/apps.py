from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "civicplan.performance"
    label = "performance"
    verbose_name = "Performance indicators"

    def ready(self) -> None:
        from civicplan.core.registry import ItemSection, MenuEntry, register_item_section, register_staff_menu
        from civicplan.performance.sections import render_item_section

        register_staff_menu(
            MenuEntry(
                label=_("Indicators"),
                url_name="indicators:list",
                order=40,
                permission="performance.view_indicator",
            )
        )
        register_item_section(ItemSection(key="performance-indicators", render=render_item_section, order=50))
