"""Background tasks (django-tasks; the database backend and `manage.py db_worker` in production, the immediate
backend with TASKS_BACKEND=immediate in tests and demos)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_report_file(build_id: int) -> None:
    from civicplan.reports.services import run_build

    run_build(build_id)
