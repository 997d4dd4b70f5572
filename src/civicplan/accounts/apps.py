from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "civicplan.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from civicplan.core.registry import MenuEntry, register_staff_menu

        register_staff_menu(
            MenuEntry(
                label=_("City and people"),
                url_name="people:people",
                order=90,
                permission="accounts.manage_organization",
            )
        )
