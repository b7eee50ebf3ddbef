"""The administrator's screens: teams, practitioners and reference data. People and cases are
deliberately absent: an administrator configures the service but has no relationship with the
people it supports."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from caseload.accounts.models import User
from caseload.register.actions import change_role
from caseload.register.models import (
    Absence,
    Locality,
    Practitioner,
    PractitionerRoleChange,
    Specialism,
    Team,
    role_changes_of,
    role_on,
)


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin[Locality]):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "service_area", "locality")
    list_filter = ("service_area", "locality")
    search_fields = ("name",)
    # The team's manager sets its review interval on the team page (its safe working levels
    # are the workload app's).
    exclude = ("review_interval_months",)


@admin.register(Specialism)
class SpecialismAdmin(admin.ModelAdmin[Specialism]):
    list_display = ("code",)


class AbsenceInline(admin.TabularInline[Absence, Practitioner]):
    model = Absence
    extra = 0


class PractitionerForm(forms.ModelForm[Practitioner]):
    """The practitioner, with the day a changed role takes effect: a role is kept as a history
    (PractitionerRoleChange), written by the register's change_role action."""

    role_from = forms.DateField(
        label="New role from",
        required=False,
        help_text="When the role changes: the day the new role starts (today if left blank)",
    )

    def clean(self) -> dict[str, Any]:
        """What change_role would refuse, as form errors (the admin shows no other kind)."""
        data = super().clean() or {}
        role, started = data.get("role"), data.get("start_date")
        if self.instance.pk is None or "role" not in self.changed_data or role is None:
            return data
        day = data.get("role_from") or timezone.localdate()
        if day > timezone.localdate():
            self.add_error("role_from", "The change cannot start after today")
        elif started is not None and day < started:
            self.add_error("role_from", "The change cannot start before they started in post")
        else:
            changes = role_changes_of([self.instance.pk])[self.instance.pk]
            stored = Practitioner.objects.values_list("role", flat=True).get(pk=self.instance.pk)
            if role_on(changes, day, default=stored) == role:
                self.add_error("role_from", "They already hold that role on that day")
        return data


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin[Practitioner]):
    form = PractitionerForm
    list_display = ("family_name", "given_name", "role", "pcf_level", "fte", "employment", "team")
    list_filter = ("role", "pcf_level", "employment", "team")
    search_fields = ("family_name", "given_name", "swe_registration_number")
    autocomplete_fields = ("team", "user")
    filter_horizontal = ("specialisms",)
    inlines = [AbsenceInline]
    readonly_fields = ("role_history",)

    @admin.display(description="Roles held")
    def role_history(self, obj: Practitioner) -> str:
        """The history of roles, read only: a change is made by changing the role."""
        return "; ".join(str(change) for change in obj.role_changes.all()) or "-"

    def save_model(self, request: HttpRequest, obj: Practitioner, form: Any, change: bool) -> None:
        """A new practitioner's history starts with their role from their start in post; a
        changed role goes through change_role, from the day given."""
        assert isinstance(request.user, User)  # noqa: S101 - the admin is for signed-in staff
        new_role = obj.role
        role_changed = change and "role" in form.changed_data
        if role_changed:
            # The role is the action's to change (with its history and audit record).
            obj.role = Practitioner.objects.values_list("role", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        if not change:
            PractitionerRoleChange.objects.create(
                practitioner=obj,
                effective_from=obj.start_date,
                role=obj.role,
                changed_by=request.user,
                changed_at=timezone.now(),
            )
        elif role_changed:
            effective_from = form.cleaned_data.get("role_from") or timezone.localdate()
            change_role(
                by=request.user, practitioner=obj, role=new_role, effective_from=effective_from
            )
            obj.refresh_from_db(fields=["role"])
