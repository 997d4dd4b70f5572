from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "civicplan.engagement"
    label = "engagement"
    verbose_name = "Stakeholder engagement"

    def ready(self) -> None:
        from civicplan.core.registry import MenuEntry, register_staff_menu

        register_staff_menu(
            MenuEntry(
                label=_("Engagement"),
                url_name="engagement:overview",
                order=30,
                permission="engagement.view_engagement",
            )
        )
