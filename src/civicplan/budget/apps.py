from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "civicplan.budget"
    label = "budget"
    verbose_name = "Budget alignment"

    def ready(self) -> None:
        from civicplan.budget.sections import render_item_section
        from civicplan.core.registry import ItemSection, MenuEntry, register_item_section, register_staff_menu

        register_staff_menu(
            MenuEntry(
                label=_("Budget"), url_name="budget:overview", order=50, permission="budget.view_budget"
            )
        )
        register_item_section(ItemSection(key="budget-funding", render=render_item_section, order=60))
