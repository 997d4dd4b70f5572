"""The coordinator's pages for the city's settings, its departments and the people who use CivicPlan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from civicplan.accounts import selectors, services
from civicplan.accounts.forms import DepartmentForm, OrganizationForm, PersonForm
from civicplan.accounts.models import Department, Organization, User


def _manager(request: HttpRequest) -> Organization | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("accounts.manage_organization"):
        raise PermissionDenied
    organization = selectors.current_organization()
    if organization is None:
        raise Http404
    return organization


def people(request: HttpRequest) -> HttpResponse:
    organization = _manager(request)
    if isinstance(organization, HttpResponse):
        return organization
    return render(
        request,
        "accounts/staff/people.html",
        {
            "organization": organization,
            "people": selectors.people(),
            "departments": selectors.departments(organization),
        },
    )


def organization_edit(request: HttpRequest) -> HttpResponse:
    organization = _manager(request)
    if isinstance(organization, HttpResponse):
        return organization
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.update_organization(organization=organization, user=request.user, data=form.cleaned_data)
        messages.success(request, _("The city's settings were saved."))
        return redirect("people:people")
    return render(request, "accounts/staff/form.html", _form_context(form, _("City settings")))


def department_edit(request: HttpRequest, department_id: int | None = None) -> HttpResponse:
    organization = _manager(request)
    if isinstance(organization, HttpResponse):
        return organization
    department = (
        get_object_or_404(Department, pk=department_id, organization=organization) if department_id else None
    )
    form = DepartmentForm(request.POST or None, instance=department, organization=organization)
    if request.method == "POST" and form.is_valid():
        services.save_department(
            organization=organization, user=request.user, data=form.cleaned_data, department=department
        )
        messages.success(request, _("The department was saved."))
        return redirect("people:people")
    title = _("Edit department") if department else _("New department")
    return render(request, "accounts/staff/form.html", _form_context(form, title))


def person_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    organization = _manager(request)
    if isinstance(organization, HttpResponse):
        return organization
    person = get_object_or_404(User, pk=user_id) if user_id else None
    form = PersonForm(request.POST or None, instance=person, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PersonForm.Meta.fields}
        try:
            services.save_person(
                user=request.user, data=data, person=person, password=form.cleaned_data["password"]
            )
        except PermissionDenied as error:
            form.add_error("role", str(error))
        else:
            messages.success(request, _("The account was saved."))
            return redirect("people:people")
    title = _("Edit account") if person else _("New account")
    return render(request, "accounts/staff/form.html", _form_context(form, title))


def _form_context(form: Any, title: str) -> dict[str, Any]:
    return {"form": form, "title": title}
