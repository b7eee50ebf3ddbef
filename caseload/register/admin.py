"""The administrator's screens: teams, practitioners and reference data. People and cases are
deliberately absent: an administrator configures the service but has no relationship with the
people it supports."""

from django.contrib import admin

from caseload.register.models import Absence, Locality, Practitioner, Specialism, Team


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin[Locality]):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "service_area", "locality")
    list_filter = ("service_area", "locality")
    search_fields = ("name",)


@admin.register(Specialism)
class SpecialismAdmin(admin.ModelAdmin[Specialism]):
    list_display = ("code",)


class AbsenceInline(admin.TabularInline[Absence, Practitioner]):
    model = Absence
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin[Practitioner]):
    list_display = ("family_name", "given_name", "role", "pcf_level", "fte", "team")
    list_filter = ("role", "pcf_level", "team")
    search_fields = ("family_name", "given_name", "swe_registration_number")
    autocomplete_fields = ("team", "user")
    filter_horizontal = ("specialisms",)
    inlines = [AbsenceInline]
