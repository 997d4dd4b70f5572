"""Sign-in pages (namespace `accounts`) and the coordinator's people pages (namespace `people`)."""

from django.urls import path

from civicplan.accounts.views import auth, staff

app_name = "accounts"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
]

staff_patterns = [
    path("", staff.people, name="people"),
    path("city/", staff.organization_edit, name="organization"),
    path("departments/new/", staff.department_edit, name="department-new"),
    path("departments/<int:department_id>/", staff.department_edit, name="department"),
    path("new/", staff.person_edit, name="person-new"),
    path("<int:user_id>/", staff.person_edit, name="person"),
]
