"""Who may read reports. Staff reports are read by everyone with a plan role, as the dashboards and the council
summary are (`plans.view_dashboard`); a background build (its progress page and its file) by the person who asked
for it and by the plan coordinator. Checked with `user.has_perm(name, obj)`."""

from __future__ import annotations

from typing import Any

import rules


@rules.predicate
def reads_dashboards(user: Any) -> bool:
    return bool(user.has_perm("plans.view_dashboard"))


@rules.predicate
def manages_plan(user: Any) -> bool:
    return bool(user.has_perm("plans.manage_plan"))


@rules.predicate
def requested_build(user: Any, build: Any) -> bool:
    return build is not None and getattr(build, "requested_by_id", None) == getattr(user, "pk", None)


rules.add_perm("reports.view_reports", reads_dashboards)
rules.add_perm("reports.view_build", reads_dashboards & (requested_build | manages_plan))
