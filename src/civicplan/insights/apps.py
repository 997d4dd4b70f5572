from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "civicplan.insights"
    label = "insights"
    verbose_name = "Insight"

    def ready(self) -> None:
        from civicplan.core.registry import ItemSection, MenuEntry, register_item_section, register_staff_menu
        from civicplan.insights.sections import render_item_section

        register_staff_menu(
            MenuEntry(
                label=_("Insight"),
                url_name="insights:evidence",
                order=35,
                permission="insights.view_insights",
            )
        )
        register_item_section(ItemSection(key="insights-input", render=render_item_section, order=40))
