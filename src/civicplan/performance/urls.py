"""Indicator pages: public (namespace `performance`) and staff (namespace `indicators`, under /staff/indicators/)."""

from django.urls import URLPattern, path

from civicplan.performance.views import imports, public, staff

public_patterns: list[URLPattern] = [
    path("indicators/<str:key>/", public.indicator, name="indicator"),
]

staff_patterns: list[URLPattern] = [
    path("", staff.indicator_list, name="list"),
    path("new/", staff.indicator_new, name="new"),
    path("<int:indicator_id>/", staff.indicator_detail, name="detail"),
    path("<int:indicator_id>/edit/", staff.indicator_edit, name="edit"),
    path("<int:indicator_id>/target/", staff.target_edit, name="target"),
    path("<int:indicator_id>/enter/", staff.measurement_enter, name="enter"),
    path("<int:indicator_id>/publish/", staff.indicator_publish, name="publish"),
    path("<int:indicator_id>/unpublish/", staff.indicator_unpublish, name="unpublish"),
    path("<int:indicator_id>/archive/", staff.indicator_archive, name="archive"),
    path("<int:indicator_id>/restore/", staff.indicator_restore, name="restore"),
    path("values/<int:measurement_id>/verify/", staff.measurement_verify, name="verify"),
]

# Measurement files (views/imports.py): upload, preview and import, the CSV template, the export.
staff_patterns += [
    path("import/", imports.upload, name="import"),
    path("import/template.csv", imports.template, name="import-template"),
    path("import/<str:token>/", imports.preview, name="import-preview"),
    path("export.<str:fmt>", imports.export, name="export"),
]
