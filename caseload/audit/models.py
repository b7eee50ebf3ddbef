"""The two append-only logs: who viewed a person's record, and who changed the register.

Rows hold plain ids, not foreign keys (docs/decisions/0001-audit-rows-keep-plain-ids.md): a
person's register rows can be erased while the logs keep saying, by id, what was done when.
Nothing personal is written here: no names, NHS numbers or search terms, and one kind of
free text only, the reason a user gave for breaking the glass (a reviewer must read it).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("This log is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("This log is append-only")


class AppendOnly(models.Model):
    """Rows are added, never changed or removed: here, in the queryset, and, on PostgreSQL, by a
    trigger (migrations 0002 and 0003) for any other client."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("This log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("This log is append-only")


class AppendOnlyModel(AppendOnly):
    """A row of either log: when, who (a user id), and the ids of the records concerned."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user_id = models.BigIntegerField()
    case_id = models.BigIntegerField(null=True, blank=True)
    practitioner_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]


class AccessAction(models.TextChoices):
    """What an access-log entry records someone seeing."""

    VIEW_PERSON = "view_person", "Viewed a person"
    VIEW_CASE = "view_case", "Viewed a case"
    SEARCH_PEOPLE = "search_people", "Searched people"
    LIST_PEOPLE = "list_people", "Listed people"
    VIEW_TEAM = "view_team", "Viewed a team"
    VIEW_WAITING_LIST = "view_waiting_list", "Viewed a waiting list"
    VIEW_TEAM_CASES = "view_team_cases", "Viewed a team's open cases"
    VIEW_CASELOAD = "view_caseload", "Viewed a practitioner's caseload"
    VIEW_ALLOCATION_MEETING = "view_allocation_meeting", "Viewed an allocation meeting"
    VIEW_PROPOSAL = "view_proposal", "Viewed an allocation proposal"
    VIEW_WHAT_IF = "view_what_if", "Viewed a what-if"
    VIEW_HISTORY = "view_history", "Viewed a history of changes"
    CASE_FORM = "case_form", "Used a form about a case"
    PERSON_FORM = "person_form", "Used a form about a person"
    IDENTITY_CHECK_FAILED = "identity_check_failed", "Entered an NHS number held by someone else"
    KNOWN_PERSON_MATCHED = (
        "known_person_matched",
        "Entered the name, date of birth and postcode of someone on the register",
    )
    BREAK_GLASS = "break_glass", "Opened a record without a case there, giving a reason"
    VIEW_ASYE_PROGRAMME = "view_asye_programme", "Viewed an ASYE programme"
    LIST_ASYE_PROGRAMMES = "list_asye_programmes", "Listed ASYE programmes"
    ASYE_REVIEW_FORM = "asye_review_form", "Used the form for an ASYE review"
    VIEW_SUPERVISION = "view_supervision", "Viewed a supervision record"
    VIEW_SUPERVISION_LIST = "view_supervision_list", "Viewed a practitioner's supervision"
    SUPERVISION_FORM = "supervision_form", "Used a form about supervision"
    VIEW_SUPERVISION_OVERDUE = (
        "view_supervision_overdue",
        "Viewed who in a team is overdue for supervision",
    )
    SEARCH_AUDIT_LOG = "search_audit_log", "Searched the audit log"
    EXPORT_AUDIT_LOG = "export_audit_log", "Exported the audit log"
    VIEW_CASE_AUDIT = "view_case_audit", "Viewed a case file audit"
    LIST_CASE_AUDITS = "list_case_audits", "Listed case file audits"
    AUDIT_CASE_READ = "audit_case_read", "Read a case's record for its case file audit"


class BreakGlassReason(models.TextChoices):
    """Why someone opened a record with no case in a team they may see."""

    NEW_REFERRAL = "new_referral", "A new request for support is being made"
    SAFEGUARDING = "safeguarding", "A safeguarding concern"
    HOSPITAL_DISCHARGE = "hospital_discharge", "A hospital discharge or other urgent contact"
    DUTY = "duty", "A duty or out-of-hours call"
    OTHER = "other", "Another reason, described below"


class ChangeAction(models.TextChoices):
    """Every kind of change the service records: a row with any other action is refused."""

    PERSON_ADDED = "person_added", "Person added"
    REFERRAL_RECORDED = "referral_recorded", "Request for support recorded"
    CASE_SCREENED = "case_screened", "Case screened"
    CASE_CLOSED = "case_closed", "Case closed"
    CASE_PRIORITY_SET = "case_priority_set", "Priority changed"
    TEAM_WORKLOAD_LEVELS_SET = "team_workload_levels_set", "Team workload levels changed"
    TEAM_REVIEW_INTERVAL_SET = "team_review_interval_set", "Team review interval changed"
    CONTACT_RECORDED = "contact_recorded", "Contact recorded"
    CASE_HANDED_BACK = "case_handed_back", "Case handed back to the team"
    CASE_REVIEW_RECORDED = "case_review_recorded", "Review recorded"
    CASE_REVIEW_DUE = "case_review_due", "Review fell due"
    COMPLEXITY_ASSESSED = "complexity_assessed", "Complexity scored"
    COMPLEXITY_RESCORED = "complexity_rescored", "Complexity re-scored"
    COMPLEXITY_TIER_OVERRIDDEN = "complexity_tier_overridden", "Tier overridden"
    COMPLEXITY_MODEL_PUBLISHED = "complexity_model_published", "Complexity model published"
    ALLOCATION_PROPOSED = "allocation_proposed", "Allocation proposed"
    ALLOCATION_ESCALATED = "allocation_escalated", "Unallocated cases raised"
    ALLOCATION_DECIDED = "allocation_decided", "Allocation proposal decided"
    CASE_ALLOCATED = "case_allocated", "Case allocated"
    ABSENCE_RECORDED = "absence_recorded", "Absence recorded"
    HANDOVER_PLANNED = "handover_planned", "Handover planned"
    HANDOVER_CARRIED_OUT = "handover_carried_out", "Handover carried out"
    HANDOVER_CANCELLED = "handover_cancelled", "Handover cancelled"
    HANDOVER_LAPSED = "handover_lapsed", "Handover lapsed"
    ASYE_PROGRAMME_STARTED = "asye_programme_started", "ASYE programme started"
    ASYE_REVIEW_RECORDED = "asye_review_recorded", "ASYE review recorded"
    SUPERVISION_RECORDED = "supervision_recorded", "Supervision recorded"
    SUPERVISION_CHANGED = "supervision_changed", "Supervision record changed"
    SUPERVISION_SIGNED = "supervision_signed", "Supervision record signed"
    SUPERVISION_COMMENTED = "supervision_commented", "Supervisee commented on supervision"
    SUPERVISION_ADDENDUM_ADDED = "supervision_addendum_added", "Addendum added to supervision"
    SUPERVISION_AGREEMENT_MADE = "supervision_agreement_made", "Supervision agreement made"
    SUPERVISION_AGREEMENT_SIGNED = "supervision_agreement_signed", "Supervision agreement signed"
    SUPERVISION_ACTION_DONE = "supervision_action_done", "Supervision action done"
    SUPERVISION_POLICY_PUBLISHED = "supervision_policy_published", "Supervision policy published"
    DECISION_RECORDED = "decision_recorded", "Decision recorded"
    SIGN_OFF_REQUESTED = "sign_off_requested", "Sign-off requested"
    SIGN_OFF_APPROVED = "sign_off_approved", "Decision signed off"
    SIGN_OFF_RETURNED = "sign_off_returned", "Decision returned with comments"
    DELEGATION_SCHEME_PUBLISHED = "delegation_scheme_published", "Delegation scheme published"
    PRACTICE_ESCALATION_RAISED = "practice_escalation_raised", "Case escalated to the PSW"
    PRACTICE_ESCALATION_ADVISED = "practice_escalation_advised", "PSW advice recorded"
    PRACTICE_ESCALATION_REFERRED = (
        "practice_escalation_referred",
        "Escalation taken to the director",
    )
    PRACTICE_ESCALATION_DECIDED = "practice_escalation_decided", "Director's decision recorded"
    ASYE_COMMENTS_RECORDED = "asye_comments_recorded", "ASYE's comments on a review recorded"
    ESTABLISHMENT_SET = "establishment_set", "Establishment set"
    CONTINGENCY_PLAN_RECORDED = "contingency_plan_recorded", "Contingency plan recorded"
    SAFE_WORKING_LEVEL_AGREED = "safe_working_level_agreed", "Safe working level agreed"
    EXTRA_HOURS_RECORDED = "extra_hours_recorded", "Extra hours recorded"
    WORKLOAD_CONCERN_RAISED = "workload_concern_raised", "Workload concern raised"
    WORKLOAD_CONCERN_ANSWERED = "workload_concern_answered", "Workload concern answered"
    WORKLOAD_CONCERN_ESCALATED = "workload_concern_escalated", "Workload concern escalated"
    SURVEY_ROUND_OPENED = "survey_round_opened", "Workload survey round opened"
    SURVEY_ANSWERED = "survey_answered", "Workload survey answered"
    HEALTH_CHECK_PUBLISHED = "health_check_published", "Health Check published"
    SAFEGUARDING_CONCERN_RECORDED = "safeguarding_concern_recorded", "Safeguarding concern recorded"
    SAFEGUARDING_CONCERN_DECIDED = "safeguarding_concern_decided", "Safeguarding concern decided"
    SAFEGUARDING_LEAD_CHOSEN = "safeguarding_lead_chosen", "Enquiry lead chosen"
    SAFEGUARDING_ENQUIRY_RECORDED = "safeguarding_enquiry_recorded", "Enquiry record added to"
    SAFEGUARDING_ENQUIRY_CONCLUDED = "safeguarding_enquiry_concluded", "Enquiry concluded"
    SAFEGUARDING_CLOSURE_SIGNED_OFF = (
        "safeguarding_closure_signed_off",
        "Enquiry closure signed off",
    )
    SAFEGUARDING_CLOSURE_RETURNED = "safeguarding_closure_returned", "Enquiry closure returned"
    SAFEGUARDING_TARGETS_PUBLISHED = (
        "safeguarding_targets_published",
        "Safeguarding targets published",
    )
    INCIDENT_RECORDED = "incident_recorded", "Incident recorded"
    LEARNING_REVIEW_COMMISSIONED = "learning_review_commissioned", "Learning review commissioned"
    LEARNING_REVIEW_UPDATED = "learning_review_updated", "Learning review updated"
    RECOMMENDATION_ADDED = "recommendation_added", "Recommendation added"
    RECOMMENDATION_DONE = "recommendation_done", "Recommendation completed"
    LEARNING_BRIEF_PUBLISHED = "learning_brief_published", "Learning brief published"
    LEARNING_BRIEF_READ = "learning_brief_read", "Learning brief read"
    FEEDBACK_RECORDED = "feedback_recorded", "Feedback recorded"
    FEEDBACK_LINK_MADE = "feedback_link_made", "Feedback link made"
    FEEDBACK_RECEIVED = "feedback_received", "Feedback received by link"
    FEEDBACK_QUOTE_PICKED = "feedback_quote_picked", "Feedback quotation picked"
    PRACTICE_FRAMEWORK_PUBLISHED = "practice_framework_published", "Practice framework published"
    PRACTICE_FRAMEWORK_ACKNOWLEDGED = (
        "practice_framework_acknowledged",
        "Practice framework acknowledged",
    )
    DIRECT_PRACTICE_RECORDED = "direct_practice_recorded", "PSW direct practice recorded"
    ANNUAL_REPORT_DRAFTED = "annual_report_drafted", "Annual report drafted"
    ANNUAL_REPORT_EDITED = "annual_report_edited", "Annual report section edited"
    ANNUAL_REPORT_PUBLISHED = "annual_report_published", "Annual report published"
    INCIDENT_REGRADED = "incident_regraded", "Incident seriousness changed"
    ANNUAL_REPORT_REBUILT = "annual_report_rebuilt", "Annual report draft rebuilt"
    ANNUAL_REPORT_DELETED = "annual_report_deleted", "Annual report draft deleted"
    SAFEGUARDING_RISK_REVISED = "safeguarding_risk_revised", "Safeguarding risk revised"
    ADMIN_ADDED = "admin_added", "Added in administration"
    ADMIN_CHANGED = "admin_changed", "Changed in administration"
    ADMIN_DELETED = "admin_deleted", "Deleted in administration"
    PRACTITIONER_ROLE_CHANGED = "practitioner_role_changed", "Practitioner's role changed"
    SUPERVISION_POLICY_RENAMED = "supervision_policy_renamed", "Supervision policy's key renamed"
    WORKFORCE_PLAN_SAVED = "workforce_plan_saved", "Workforce plan saved"
    WORKFORCE_PLAN_RENAMED = "workforce_plan_renamed", "Workforce plan renamed"
    WORKFORCE_PLAN_DELETED = "workforce_plan_deleted", "Workforce plan deleted"
    AUDIT_TOOL_PUBLISHED = "audit_tool_published", "Case file audit tool published"
    CASE_AUDIT_ASSIGNED = "case_audit_assigned", "Case file audit assigned"
    CASE_AUDIT_COMPLETED = "case_audit_completed", "Case file audit completed"
    CASE_AUDIT_RESPONDED = "case_audit_responded", "Practitioner responded to a case file audit"
    CASE_AUDIT_MODERATED = "case_audit_moderated", "Case file audit moderated"
    CASE_AUDIT_ACTION_DONE = "case_audit_action_done", "Case file audit action done"
    AUDIT_MODERATOR_APPOINTED = "audit_moderator_appointed", "Case file audit moderator named"
    AUDIT_MODERATOR_REMOVED = "audit_moderator_removed", "Case file audit moderator removed"
    AUDIT_MODERATION_SHARE_SET = "audit_moderation_share_set", "Share of audits to moderate set"


class AccessLogEntry(AppendOnlyModel):
    """One page or search that showed people's data: the page's record ids here, and every
    person it showed as an AccessLogSubject. Never the record's content or search terms."""

    Action = AccessAction

    action = models.CharField(max_length=32, choices=AccessAction.choices)
    # Breaking the glass only: the reason chosen and the user's own words.
    reason = models.CharField(max_length=32, choices=BreakGlassReason.choices, blank=True)
    reason_detail = models.CharField(max_length=500, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            models.Index(fields=["user_id", "at"], name="accesslog_user_at_idx"),
            models.Index(fields=["case_id", "at"], name="accesslog_case_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccessAction.values),
                name="accesslog_action_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class AccessLogSubject(AppendOnly):
    """One person an access-log entry showed: "who looked at person X" is one indexed query."""

    # Indexed by the unique constraint below, which starts with the entry.
    entry = models.ForeignKey(
        AccessLogEntry, on_delete=models.PROTECT, related_name="subjects", db_index=False
    )
    person_id = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "person_id"], name="accesslog_subject_once")
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id} in access log entry {self.entry_id}"


class ChangeEvent(AppendOnlyModel):
    """One change, written by the action that made it, in its transaction: who, what kind, the
    ids of what it concerned, and each changed field's old and new value."""

    Action = ChangeAction

    action = models.CharField(max_length=40, choices=ChangeAction.choices)
    person_id = models.BigIntegerField(null=True, blank=True)
    # A change that moves something between practitioners (an allocation, a handover) names the
    # one it moved from here and the one it moved to in practitioner_id.
    from_practitioner_id = models.BigIntegerField(null=True, blank=True)
    # {field: [old, new]}; old is null for something new.
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Other ids and facts the sentence needs (an assessment id, a due date): no free text.
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta(AppendOnlyModel.Meta):
        indexes = [
            models.Index(fields=["case_id", "at"], name="changeevent_case_at_idx"),
            models.Index(fields=["person_id", "at"], name="changeevent_person_at_idx"),
            models.Index(fields=["practitioner_id", "at"], name="changeevent_prac_at_idx"),
            models.Index(
                fields=["from_practitioner_id", "at"], name="changeevent_from_prac_at_idx"
            ),
            models.Index(fields=["user_id", "at"], name="changeevent_user_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=ChangeAction.values),
                name="changeevent_action_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
