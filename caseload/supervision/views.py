"""Supervision pages: a practitioner's supervision, a record (recorded, changed, signed,
commented on, added to), the agreement, and the user's supervision actions.

Every page reads its record through caseload.supervision.access and writes the access log;
every change goes through caseload.supervision.actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.accounts.models import User
from caseload.accounts.permissions import Permission
from caseload.audit import log
from caseload.register.access import practitioner_for
from caseload.register.models import Case, Practitioner
from caseload.supervision import access, actions, policies
from caseload.supervision.forms import (
    ActionFormSet,
    AddendumForm,
    AgreementForm,
    CommentForm,
    DiscussionFormSet,
    ExistingPolicyForm,
    NewPolicyForm,
    PolicyForm,
    PolicyNoteForm,
    RolesForm,
    SessionForm,
)
from caseload.supervision.models import Action, Agreement, PolicyVersion, Session
from caseload.ui.forms import GovukForm, SummaryItem
from caseload.web.decorators import require_permission
from caseload.web.errors import ActionRefused
from caseload.web.requests import AuthedRequest, attempt, paginate, posted
from caseload_engine import supervision as rules


def _supervision_page(practitioner: Practitioner | int) -> HttpResponse:
    pk = practitioner if isinstance(practitioner, int) else practitioner.pk
    return redirect("supervision_practitioner", pk)


def _session_page(session: Session) -> HttpResponse:
    return redirect("supervision_session", session.pk)


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_GET
def practitioner_supervision(request: AuthedRequest, pk: int) -> HttpResponse:
    """A practitioner's supervision: the agreement, when the next session is due, and the
    sessions recorded, newest first."""
    practitioner = access.get_supervisee_for_user(request.user, pk)
    sessions = (
        access.sessions_visible_to(request.user)
        .filter(supervisee=practitioner)
        .select_related("supervisor")
        .order_by("-held_on", "-pk")
    )
    page = paginate(request, sessions)
    log.record_supervision_listed(request.user, practitioner_id=practitioner.pk, person_ids=[])
    agreement = (
        Agreement.objects.filter(practitioner=practitioner, superseded_at__isnull=True)
        .select_related("supervisor")
        .first()
    )
    return render(
        request,
        "supervision/practitioner.html",
        {
            "practitioner": practitioner,
            "page": page,
            "agreement": agreement,
            "standing": policies.standing_of(practitioner),
            "may_supervise": access.may_supervise(request.user, practitioner),
            "is_me": practitioner.user_id == request.user.pk,
        },
    )


def _cases_for(practitioner: Practitioner, session: Session | None) -> QuerySet[Case]:
    """The cases a record may discuss: those the supervisee holds now, and any already on it."""
    held = actions.supervisee_cases(practitioner)
    which = Q(held)
    if session is not None:
        which |= Q(supervision_discussions__session=session)
    return (
        Case.objects.filter(which)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
        .distinct()
    )


def _owner(code: str, *, supervisee: Practitioner, supervisor: User) -> User:
    if code == "supervisor" or supervisee.user is None:
        return supervisor
    return supervisee.user


def _details(
    form: SessionForm,
    discussions: Any,
    general: Any,
    *,
    supervisee: Practitioner,
    supervisor: User,
) -> actions.SessionDetails:
    def action_of(data: dict[str, Any]) -> list[actions.ActionDetails]:
        if not data.get("action", "").strip():
            return []
        return [
            actions.ActionDetails(
                description=data["action"],
                owner=_owner(data["owner"], supervisee=supervisee, supervisor=supervisor),
                due_on=data["due_on"],
                pk=data.get("action_id"),
            )
        ]

    kept = _kept_rows(discussions)
    kept_actions = _kept_rows(general)
    data = form.cleaned_data
    return actions.SessionDetails(
        held_on=data["held_on"],
        minutes=data["minutes"],
        kind=data["kind"],
        agenda=data["agenda"],
        workload_review=data["workload_review"],
        wellbeing=data["wellbeing"],
        reflection=data["reflection"],
        cpd=data["cpd"],
        discussions=[
            actions.DiscussionDetails(
                case=row["case"],
                discussion=row["discussion"],
                decision=row["decision"],
                actions=[
                    *action_of(row),
                    # Other actions about the case are the discussion's too.
                    *(
                        a
                        for more in kept_actions
                        if more["case"] == row["case"]
                        for a in action_of(more)
                    ),
                ],
            )
            for row in kept
        ],
        actions=[a for row in kept_actions if row["case"] is None for a in action_of(row)],
    )


def _kept_rows(rows: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in rows.forms if f.cleaned_data and f not in rows.deleted_forms]


def _actions_placed(discussions: Any, general: Any) -> bool:
    """Whether each other action about a case is about a case discussed (else a form error)."""
    discussed = {row["case"] for row in _kept_rows(discussions)}
    placed = True
    for form in general.forms:
        data = form.cleaned_data
        if not data or form in general.deleted_forms or data["case"] is None:
            continue
        if data["case"] not in discussed or not data.get("action", "").strip():
            form.add_error("case", "Choose a case discussed above, with the action, or no case")
            placed = False
    return placed


class _Summary:
    """The GOV.UK error summary for several forms and formsets at once."""

    def __init__(self, *parts: GovukForm | BaseFormSet) -> None:  # type: ignore[type-arg]
        self.error_summary: list[SummaryItem] = []
        for part in parts:
            if isinstance(part, GovukForm):
                self.error_summary.extend(part.error_summary())
                continue
            self.error_summary.extend(SummaryItem(str(e)) for e in part.non_form_errors())
            for row in part.forms:
                self.error_summary.extend(row.error_summary())
        self.errors = bool(self.error_summary)


def _owner_code(action: Action, session: Session) -> str:
    return "supervisor" if action.owner_id == session.supervisor_id else "supervisee"


def _initial_of(
    session: Session,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The record as the form's initial values: open actions only (done ones stay as done)."""
    fields = ("held_on", "minutes", "kind", *actions.NOTE_FIELDS)
    open_actions = [a for a in session.actions.all() if a.done_at is None]
    discussions = list(session.discussions.all())
    case_of = {d.pk: d.case_id for d in discussions}
    rows = []
    for discussion in discussions:
        row: dict[str, Any] = {
            "case": discussion.case_id,
            "discussion": discussion.discussion,
            "decision": discussion.decision,
        }
        own = [a for a in open_actions if a.discussion_id == discussion.pk]
        if own:
            # The discussion's row holds one action (the first recorded, where it was entered);
            # any more are other actions about its case.
            first = min(own, key=lambda a: a.pk)
            open_actions.remove(first)
            row |= {
                "action": first.description,
                "owner": _owner_code(first, session),
                "due_on": first.due_on,
                "action_id": first.pk,
            }
        rows.append(row)
    general = [
        {
            "action": a.description,
            "owner": _owner_code(a, session),
            "due_on": a.due_on,
            "action_id": a.pk,
            "case": case_of.get(a.discussion_id) if a.discussion_id is not None else None,
        }
        for a in open_actions
    ]
    return {name: getattr(session, name) for name in fields}, rows, general


def _session_form(
    request: AuthedRequest, *, supervisee: Practitioner, session: Session | None
) -> HttpResponse:
    """The record's form, new or to change; one page, one transaction."""
    cases = _cases_for(supervisee, session)
    initial: dict[str, Any] = {"minutes": 90, "kind": "one_to_one"}
    rows: list[dict[str, Any]] = []
    general: list[dict[str, Any]] = []
    if session is not None:
        initial, rows, general = _initial_of(session)
    data = posted(request)
    form = SessionForm(data, initial=initial)
    discussions = DiscussionFormSet(data, initial=rows, prefix="discussions", cases=cases)
    general_actions = ActionFormSet(data, initial=general, prefix="actions", cases=cases)
    valid = all([form.is_valid(), discussions.is_valid(), general_actions.is_valid()])
    valid = valid and _actions_placed(discussions, general_actions)
    if valid:
        details = _details(
            form, discussions, general_actions, supervisee=supervisee, supervisor=request.user
        )
        if session is None:
            saved = attempt(
                form,
                lambda: actions.record_session(
                    by=request.user, supervisee=supervisee, details=details
                ),
            )
        else:
            saved = attempt(
                form,
                lambda: actions.edit_session(by=request.user, session=session, details=details),
            )
        if saved is not None:
            messages.success(
                request,
                "Supervision recorded." if session is None else "Supervision record changed.",
            )
            return _session_page(saved)
    return render(
        request,
        "supervision/session_form.html",
        {
            "supervisee": supervisee,
            "session": session,
            "form": form,
            "discussions": discussions,
            "general_actions": general_actions,
            "summary": _Summary(form, discussions, general_actions),
            "has_cases": cases.exists(),
        },
    )


@require_permission(Permission.RECORD_SUPERVISION)
@require_http_methods(["GET", "POST"])
def record_session(request: AuthedRequest, pk: int) -> HttpResponse:
    supervisee = access.get_supervisee_for_user(request.user, pk)
    if not access.may_supervise(request.user, supervisee):
        raise PermissionDenied
    log.record_supervision_form(
        request.user, practitioner_id=supervisee.pk, team_id=supervisee.team_id
    )
    return _session_form(request, supervisee=supervisee, session=None)


@require_permission(Permission.RECORD_SUPERVISION)
@require_http_methods(["GET", "POST"])
def edit_session(request: AuthedRequest, pk: int) -> HttpResponse:
    """Only the supervisor changes a record, and only until both have signed; anyone else who
    may see it is told so (a POST from them is refused)."""
    session = access.get_session_for_user(request.user, pk)
    discussed = list(session.discussions.values_list("case__person_id", flat=True))
    log.record_supervision_form(
        request.user,
        practitioner_id=session.supervisee_id,
        team_id=session.supervisee.team_id,
        person_ids=discussed,
    )
    if session.supervisor_id != request.user.pk or session.is_locked:
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "supervision/session_unchangeable.html", {"session": session})
    return _session_form(request, supervisee=session.supervisee, session=session)


def _session_context(request: AuthedRequest, session: Session) -> dict[str, Any]:
    discussions = list(session.discussions.select_related("case__person").order_by("pk"))
    session_actions = list(
        session.actions.select_related("owner", "done_by", "discussion").order_by("due_on", "pk")
    )
    log.record_supervision_viewed(
        request.user,
        practitioner_id=session.supervisee_id,
        team_id=session.supervisee.team_id,
        person_ids=[d.case.person_id for d in discussions],
    )
    is_supervisee = access.is_supervisee(request.user, session)
    is_party = is_supervisee or session.supervisor_id == request.user.pk
    return {
        "session": session,
        "discussions": [
            {"discussion": d, "actions": [a for a in session_actions if a.discussion_id == d.pk]}
            for d in discussions
        ],
        "general_actions": [a for a in session_actions if a.discussion_id is None],
        "addenda": list(session.addenda.select_related("author")),
        "is_supervisee": is_supervisee,
        "is_supervisor": session.supervisor_id == request.user.pk,
        "may_sign": is_party
        and not session.is_locked
        and (
            session.supervisee_signed_at is None
            if is_supervisee
            else session.supervisor_signed_at is None
        ),
        "may_add": is_party and session.is_locked,
        "comment_form": CommentForm(initial={"comment": session.supervisee_comment}),
        "addendum_form": AddendumForm(),
    }


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_GET
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_user(request.user, pk)
    return render(request, "supervision/session.html", _session_context(request, session))


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_POST
def sign_session(request: AuthedRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_user(request.user, pk)
    try:
        signed = actions.sign_session(by=request.user, session=session)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            "Signed. The record is now locked: anything more is an addendum."
            if signed.is_locked
            else "Signed.",
        )
    return _session_page(session)


def _post_on_session(
    request: AuthedRequest, session: Session, form: GovukForm, name: str, change: Any
) -> HttpResponse:
    """A form posted from the record's page: done, back to the page; refused or invalid, the
    page again with the form's errors."""
    if form.is_valid() and attempt(form, lambda: change(form.cleaned_data)) is not None:
        return _session_page(session)
    context = _session_context(request, session)
    context[name] = form
    context["form"] = form
    return render(request, "supervision/session.html", context)


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_POST
def comment_on_session(request: AuthedRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_user(request.user, pk)
    return _post_on_session(
        request,
        session,
        CommentForm(request.POST),
        "comment_form",
        lambda data: actions.comment_on_session(
            by=request.user, session=session, comment=data["comment"]
        ),
    )


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_POST
def add_addendum(request: AuthedRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_user(request.user, pk)
    return _post_on_session(
        request,
        session,
        AddendumForm(request.POST),
        "addendum_form",
        lambda data: actions.add_addendum(by=request.user, session=session, text=data["text"]),
    )


@require_permission(Permission.RECORD_SUPERVISION)
@require_http_methods(["GET", "POST"])
def new_agreement(request: AuthedRequest, pk: int) -> HttpResponse:
    practitioner = access.get_supervisee_for_user(request.user, pk)
    if not access.may_supervise(request.user, practitioner):
        raise PermissionDenied
    log.record_supervision_form(
        request.user, practitioner_id=practitioner.pk, team_id=practitioner.team_id
    )
    current = Agreement.objects.filter(
        practitioner=practitioner, superseded_at__isnull=True
    ).first()
    initial = (
        {name: getattr(current, name) for name in ("frequency", "place", "if_missed")}
        if current is not None
        else {}
    )
    form = AgreementForm(posted(request), initial=initial)
    if form.is_valid():
        agreement = attempt(
            form,
            lambda: actions.make_agreement(
                by=request.user,
                practitioner=practitioner,
                details=actions.AgreementDetails(**form.cleaned_data),
            ),
        )
        if agreement is not None:
            messages.success(request, "Agreement made. Sign it, and ask the supervisee to sign it.")
            return redirect("supervision_agreement", agreement.pk)
    return render(
        request,
        "supervision/agreement_form.html",
        {"practitioner": practitioner, "form": form, "current": current},
    )


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_GET
def agreement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    agreement = access.get_agreement_for_user(request.user, pk)
    log.record_supervision_viewed(
        request.user,
        practitioner_id=agreement.practitioner_id,
        team_id=agreement.practitioner.team_id,
        person_ids=[],
    )
    party = (
        "supervisor"
        if agreement.supervisor_id == request.user.pk
        else "supervisee"
        if agreement.practitioner.user_id == request.user.pk
        else None
    )
    return render(
        request,
        "supervision/agreement.html",
        {
            "agreement": agreement,
            "may_sign": agreement.superseded_at is None
            and (
                (party == "supervisor" and agreement.supervisor_signed_at is None)
                or (party == "supervisee" and agreement.supervisee_signed_at is None)
            ),
        },
    )


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_POST
def sign_agreement(request: AuthedRequest, pk: int) -> HttpResponse:
    agreement = access.get_agreement_for_user(request.user, pk)
    try:
        actions.sign_agreement(by=request.user, agreement=agreement)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Agreement signed.")
    return redirect("supervision_agreement", agreement.pk)


@require_permission(Permission.VIEW_OWN_SUPERVISION)
@require_GET
def my_actions(request: AuthedRequest) -> HttpResponse:
    """The user's open supervision actions, and those they set as supervisor, soonest due
    first."""
    page = paginate(
        request,
        access.actions_of(request.user)
        .select_related("owner", "session__supervisee", "discussion__case__person")
        .order_by("due_on", "pk"),
    )
    log.record_supervision_listed(
        request.user,
        practitioner_id=None,
        person_ids=[a.discussion.case.person_id for a in page if a.discussion is not None],
    )
    me = practitioner_for(request.user)
    return render(
        request,
        "supervision/actions.html",
        {"page": page, "today": timezone.localdate(), "me": me},
    )


@require_POST
def complete_action(request: AuthedRequest, pk: int) -> HttpResponse:
    """Only the action's owner marks it done: their record decides, so no role is asked."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    action = access.get_action_for_user(request.user, pk)
    try:
        actions.complete_action(by=request.user, action=action)
    except ActionRefused as refusal:
        outcome, refused = refusal.message, True
    else:
        outcome, refused = "Action marked done.", False
    if request.htmx:
        # The task list swaps this one row in place of the action's.
        return render(
            request,
            "supervision/_action_done_row.html",
            {"action": action, "outcome": outcome, "refused": refused},
        )
    (messages.error if refused else messages.success)(request, outcome)
    return redirect("supervision_actions")


@require_permission(Permission.VIEW_SUPERVISION_POLICY)
@require_GET
def policy(request: AuthedRequest) -> HttpResponse:
    """The policy in force, by role, and its versions."""
    book = policies.book_on()
    page = paginate(
        request, PolicyVersion.objects.select_related("published_by").order_by("-number")
    )
    return render(
        request,
        "supervision/policy.html",
        {"book": book, "page": page, "policies": list(book.policies.values())},
    )


@require_permission(Permission.EDIT_SUPERVISION_POLICY)
@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthedRequest) -> HttpResponse:
    """The PSW's editor: each policy's minutes and steps, each role's policy, and a note; the
    engine's checks decide what may be published."""
    book = policies.book_on()
    data = posted(request)
    policy_forms = [
        ExistingPolicyForm(data, key=key, initial=PolicyForm.initial_for(p))
        for key, p in sorted(book.policies.items())
    ]
    new_policy = NewPolicyForm(data)
    # A policy being added may be given to roles in the same version.
    added = [new_policy] if new_policy.is_valid() and new_policy.key else []
    roles = RolesForm(
        data,
        initial=dict(book.roles),
        policies=[
            *((key, p.label) for key, p in sorted(book.policies.items())),
            *((f.key, f.cleaned_data["label"]) for f in added),
        ],
    )
    note = PolicyNoteForm(data)
    kept = [f for f in policy_forms if not f.removing()]
    forms_valid = all(
        [*(f.is_valid() for f in kept), new_policy.is_valid(), roles.is_valid(), note.is_valid()]
    )
    if forms_valid:
        # A removed policy that a role still uses is refused by the engine's checks.
        content = {
            "roles": dict(roles.cleaned_data),
            "policies": [f.as_mapping() for f in [*kept, *added]],
        }
        renames = {f.key: new for f in kept if (new := f.renamed_to) is not None}
        version = attempt(
            note,
            lambda: actions.publish_policy(
                by=request.user,
                content=content,
                note=note.cleaned_data["note"],
                renames=renames,
            ),
        )
        if version is not None:
            messages.success(request, f"Version {version.number} of the policy is published.")
            return redirect("supervision_policy")
    return render(
        request,
        "supervision/policy_edit.html",
        {
            "book": book,
            "policy_forms": policy_forms,
            "new_policy": new_policy,
            "roles": roles,
            "note": note,
            "form": _Summary(note, roles, *kept, new_policy),
            "max_steps": rules.MAX_STEPS,
        },
    )
