from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "civicplan.performance"
    label = "performance"
    verbose_name = "Performance indicators"
