"""The Django admin, with every change made in it written to the change log.

Every ModelAdmin registered on the site (users, teams, practitioners and their absences,
reference data, whoever registers it) is given AuditedAdmin first in its bases, so no app's
admin module needs to know about audit: additions, changes (with each field's old and new
value, read from the database before the save), inline rows, deletions and bulk deletions each
write a ChangeEvent in the admin's transaction. Passwords are never written, only that one
changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest

from caseload.accounts.models import User
from caseload.audit.changes import NOT_RECORDED, Changes, record_change
from caseload.audit.models import ChangeAction
from caseload.security.admin_site import VerifiedAdminSite

SUBJECT_KINDS = ("person", "case", "practitioner", "team")
_RECORDED = "_caseload_audited_objects"


def _plain(value: Any) -> Any:
    """A value as the log keeps it: a related record by its name (configuration, never a person
    supported: they are not in the admin), a set of them as a sorted list."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return sorted(str(_plain(item)) for item in value)
    return value


def _stored(instance: models.Model | None, name: str) -> Any:
    if instance is None:
        return None
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return _plain(getattr(instance, name).all())
    return _plain(getattr(instance, name))


def _model_fields(model: type[models.Model]) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if field.concrete or field.many_to_many
        if not field.auto_created
    }


def _changes(form: forms.BaseForm, instance: models.Model, *, added: bool) -> dict[str, Any]:
    """Each changed field's value before (from the database) and after (from the form)."""
    model = type(instance)
    before = None if added else model._default_manager.filter(pk=instance.pk).first()
    known = _model_fields(model)
    changes: dict[str, tuple[Any, Any]] = {}
    for name in form.changed_data:
        if "password" in name:
            changes["password"] = (None, NOT_RECORDED)
        elif name in known:
            changes[name] = (_stored(before, name), _plain(form.cleaned_data.get(name)))
    return changes


def _subjects(instance: models.Model) -> dict[str, int | None]:
    """The record's register ids, by the columns' names: a team is its own team_id, an absence
    names its practitioner_id."""
    ids: dict[str, int | None] = {}
    for kind in SUBJECT_KINDS:
        value = (
            instance.pk
            if instance._meta.model_name == kind
            else getattr(instance, f"{kind}_id", None)
        )
        ids[f"{kind}_id"] = value if isinstance(value, int) else None
    return ids


def _record(
    request: HttpRequest,
    instance: models.Model,
    action: ChangeAction,
    changes: Changes,
    **detail: Any,
) -> None:
    assert isinstance(request.user, User)  # noqa: S101 - the admin is for signed-in staff
    record_change(
        by=request.user,
        action=action,
        changes=changes,
        detail={
            "model": instance._meta.label_lower,
            "object_id": instance.pk,
            "object": str(instance),
            **detail,
        },
        **_subjects(instance),
    )
    recorded: set[tuple[str, Any]] = getattr(request, _RECORDED, set())
    recorded.add((instance._meta.label_lower, instance.pk))
    setattr(request, _RECORDED, recorded)


def _was_recorded(request: HttpRequest, instance: models.Model) -> bool:
    recorded: set[tuple[str, Any]] = getattr(request, _RECORDED, set())
    return (instance._meta.label_lower, instance.pk) in recorded


class AuditedAdmin(admin.ModelAdmin[Any]):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = _changes(form, obj, added=not change)
        super().save_model(request, obj, form, change)
        _record(
            request,
            obj,
            ChangeAction.ADMIN_CHANGED if change else ChangeAction.ADMIN_ADDED,
            changes,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        assert isinstance(formset, BaseModelFormSet)  # noqa: S101 - inlines are model formsets
        deleted = [row.instance for row in formset.deleted_forms if row.instance.pk is not None]
        saved = [
            (row, _changes(row, row.instance, added=is_new), is_new)
            for row in formset.forms
            if row not in formset.deleted_forms and row.has_changed()
            for is_new in [row.instance.pk is None]
        ]
        for instance in deleted:
            _record(request, instance, ChangeAction.ADMIN_DELETED, {})
        super().save_formset(request, form, formset, change)
        for row, changes, is_new in saved:
            action = ChangeAction.ADMIN_ADDED if is_new else ChangeAction.ADMIN_CHANGED
            _record(request, row.instance, action, changes)

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record(request, obj, ChangeAction.ADMIN_DELETED, {})
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            _record(request, obj, ChangeAction.ADMIN_DELETED, {})
        super().delete_queryset(request, queryset)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        """A change made outside save_model (a user's password form): the fields its message
        names, without their values."""
        if not _was_recorded(request, obj):
            named = [
                str(name).lower()
                for part in (message if isinstance(message, list) else [])
                for name in part.get("changed", {}).get("fields", [])
            ]
            _record(
                request,
                obj,
                ChangeAction.ADMIN_CHANGED,
                {name: (None, NOT_RECORDED) for name in named},
            )
        return super().log_change(request, obj, message)


def audited(admin_class: type[admin.ModelAdmin[Any]]) -> type[admin.ModelAdmin[Any]]:
    if issubclass(admin_class, AuditedAdmin):
        return admin_class
    return type(
        admin_class.__name__,
        (AuditedAdmin, admin_class),
        {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
    )


class AuditedAdminSite(VerifiedAdminSite):
    """Verified (two-factor) and audited."""

    def register(
        self,
        model_or_iterable: type[models.Model] | Iterable[type[models.Model]],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)
