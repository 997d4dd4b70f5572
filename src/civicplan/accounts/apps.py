from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "civicplan.accounts"
    label = "accounts"
    verbose_name = "Accounts"
