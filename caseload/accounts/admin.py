from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from caseload.accounts.models import User


@admin.register(User)
class CaseloadUserAdmin(UserAdmin[User]):
    list_display = ("username", "first_name", "last_name", "access_role", "is_active", "last_login")
    list_filter = ("access_role", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Access", {"fields": ("access_role",)}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("Access", {"fields": ("access_role", "first_name", "last_name")}),
    )
