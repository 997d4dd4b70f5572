"""The plan's public pages (namespace `plans`) and staff pages (namespace `staff`)."""

from django.urls import path

from civicplan.plans.views import public, staff

public_patterns = [
    path("priorities/<str:code>/", public.priority, name="priority"),
    path("goals/<str:code>/", public.goal, name="goal"),
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
    path("plans/<int:plan_id>/adopt/", staff.adopt, name="adopt"),
    path("plans/<int:plan_id>/versions/", staff.versions, name="versions"),
    path("plans/<int:plan_id>/compare/", staff.compare, name="compare"),
    path("plans/<int:plan_id>/export/<str:fmt>/", staff.export, name="export"),
    path("import/", staff.import_upload, name="import"),
    path("import/<str:token>/", staff.import_preview, name="import-preview"),
]
