"""The plan's public pages (namespace `plans`) and staff pages (namespace `staff`)."""

from django.urls import path

from civicplan.plans.views import action_plans, following, public, staff, updates

public_patterns = [
    path("priorities/<str:code>/", public.priority, name="priority"),
    path("goals/<str:code>/", public.goal, name="goal"),
    path("goals/<str:code>/follow/", following.follow, name="goal-follow"),
    path("goals/<str:code>/follow/sent/", following.follow_sent, name="goal-follow-sent"),
    path("follow/confirm/<str:token>/", following.confirm, name="follow-confirm"),
    path("follow/unsubscribe/<str:token>/", following.unsubscribe, name="follow-unsubscribe"),
    path("changes/", public.changes, name="changes"),
    path("versions/", public.versions, name="versions"),
]

staff_patterns = [
    path("", staff.home, name="home"),
    path("plans/", staff.plan_list, name="plans"),
    path("plans/<int:plan_id>/archive/", staff.plan_archive, name="plan-archive"),
    path("plans/<int:plan_id>/", staff.plan_tree, name="plan"),
    path("plans/<int:plan_id>/edit/", staff.plan_edit, name="plan-edit"),
    path("plans/<int:plan_id>/values/new/", staff.value_edit, name="value-new"),
    path("values/<int:value_id>/edit/", staff.value_edit, name="value-edit"),
    path("values/<int:value_id>/archive/", staff.value_archive, name="value-archive"),
    path("values/<int:value_id>/move/", staff.value_move, name="value-move"),
    path("plans/<int:plan_id>/statuses/", staff.status_list, name="statuses"),
    path("plans/<int:plan_id>/statuses/new/", staff.status_edit, name="status-new"),
    path("statuses/<int:status_id>/edit/", staff.status_edit, name="status-edit"),
    path("plans/<int:plan_id>/items/new/", staff.item_new, name="item-new"),
    path("items/<int:item_id>/", staff.item_detail, name="item"),
    path("items/<int:item_id>/edit/", staff.item_edit, name="item-edit"),
    path("items/<int:item_id>/move/", staff.item_move, name="item-move"),
    path("items/<int:item_id>/archive/", staff.item_archive, name="item-archive"),
    path("items/<int:item_id>/restore/", staff.item_restore, name="item-restore"),
    path("items/<int:item_id>/history/", staff.item_history, name="item-history"),
    # Action plans and timelines (plans/views/action_plans.py)
    path("items/<int:item_id>/action-plan/", action_plans.action_plan, name="action-plan"),
    path("items/<int:item_id>/action-plan/people/", action_plans.action_people, name="action-people"),
    path(
        "items/<int:item_id>/action-plan/dependencies/",
        action_plans.dependency_add,
        name="action-dependency-add",
    ),
    path(
        "items/<int:item_id>/action-plan/dependencies/<int:depends_on_id>/remove/",
        action_plans.dependency_remove,
        name="action-dependency-remove",
    ),
    path("items/<int:item_id>/action-plan/milestones/", action_plans.milestone_new, name="milestone-new"),
    path("milestones/<int:milestone_id>/edit/", action_plans.milestone_edit, name="milestone-edit"),
    path("milestones/<int:milestone_id>/done/", action_plans.milestone_done, name="milestone-done"),
    path("milestones/<int:milestone_id>/archive/", action_plans.milestone_archive, name="milestone-archive"),
    path("items/<int:item_id>/action-plan/evidence/", action_plans.evidence_new, name="evidence-new"),
    path("evidence/<int:link_id>/archive/", action_plans.evidence_archive, name="evidence-archive"),
    path(
        "items/<int:item_id>/action-plan/evidence/file/",
        action_plans.evidence_file_new,
        name="evidence-file-new",
    ),
    path("evidence/<int:link_id>/file/", action_plans.evidence_file, name="evidence-file"),
    path("items/<int:item_id>/timeline/", action_plans.item_timeline, name="item-timeline"),
    path(
        "departments/<int:department_id>/timeline/",
        action_plans.department_timeline,
        name="department-timeline",
    ),
    # Reporting periods, progress updates and review (plans/views/updates.py)
    path("plans/<int:plan_id>/periods/", updates.periods, name="periods"),
    path("plans/<int:plan_id>/periods/quarters/", updates.periods_create_default, name="periods-quarters"),
    path("plans/<int:plan_id>/periods/new/", updates.period_edit, name="period-new"),
    path(
        "plans/<int:plan_id>/periods/review-setting/", updates.review_setting, name="periods-review-setting"
    ),
    path("periods/<int:period_id>/edit/", updates.period_edit, name="period-edit"),
    path("periods/<int:period_id>/delete/", updates.period_delete, name="period-delete"),
    path("updates/", updates.my_updates, name="my-updates"),
    path("updates/<int:action_id>/<int:period_id>/", updates.update_card, name="update-card"),
    path("updates/<int:action_id>/<int:period_id>/draft/", updates.update_autosave, name="update-autosave"),
    path("plans/<int:plan_id>/periods/<int:period_id>/review/", updates.review, name="update-review"),
    path("updates/<int:update_id>/approve/", updates.update_approve, name="update-approve"),
    path("updates/<int:update_id>/send-back/", updates.update_send_back, name="update-send-back"),
    path("plans/<int:plan_id>/adopt/", staff.adopt, name="adopt"),
    path("plans/<int:plan_id>/versions/", staff.versions, name="versions"),
    path("plans/<int:plan_id>/compare/", staff.compare, name="compare"),
    path("plans/<int:plan_id>/export/<str:fmt>/", staff.export, name="export"),
    path("import/", staff.import_upload, name="import"),
    path("import/<str:token>/", staff.import_preview, name="import-preview"),
]
