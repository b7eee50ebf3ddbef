"""The SAC report (with its downloads) for the principal social worker and the safeguarding
lead, and the principal social worker's safeguarding quality view. The report shows counts only;
the quality view's sample names enquiries, so it goes in the access log."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseload.accounts.permissions import Permission
from caseload.audit.log import record_people_listed
from caseload.register.models import Team
from caseload.sacreport import quality as quality_figures
from caseload.sacreport import records
from caseload.sacreport.forms import FORMATS, DownloadForm, QualityForm, YearForm
from caseload.web.decorators import require_permission
from caseload.web.requests import AuthedRequest
from caseload_engine import sac, tabular
from caseload_engine.dates import add_months

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@require_permission(Permission.VIEW_SAFEGUARDING_RETURN)
@require_GET
def sac_return(request: AuthedRequest) -> HttpResponse:
    """The year's SAC tables, small numbers suppressed (or every count, for the return itself),
    with links to download them."""
    form = YearForm(request.GET or None, today=timezone.localdate())
    if request.GET and not form.is_valid():
        return render(request, "sacreport/return.html", {"form": form, "tables": None}, status=400)
    year = form.chosen() if request.GET else form.years[0]
    return render(
        request,
        "sacreport/return.html",
        {
            "form": form,
            "year": year,
            "tables": records.published(year, raw=form.raw),
            "raw": form.raw,
            "formats": FORMATS,
        },
    )


@require_permission(Permission.VIEW_SAFEGUARDING_RETURN)
@require_GET
def sac_download(request: AuthedRequest) -> HttpResponse:
    """The same tables as a file: JSON as each table's rows, CSV and XLSX as one long table."""
    form = DownloadForm(request.GET, today=timezone.localdate())
    if not form.is_valid():
        return render(request, "sacreport/return.html", {"form": form, "tables": None}, status=400)
    year = form.chosen()
    kind = form.cleaned_data["format"]
    published = records.published(year, raw=form.raw)
    if kind == "json":
        body = json.dumps(sac.report_json(published, year, raw=form.raw), indent=2).encode()
    else:
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"sac.{kind}"
            tabular.write_table(target, sac.LONG_COLUMNS, sac.long_rows(published))
            body = target.read_bytes()
    return HttpResponse(
        body,
        content_type=CONTENT_TYPES[kind],
        headers={
            "Content-Disposition": (
                f'attachment; filename="sac-{year}{"-every-count" if form.raw else ""}.{kind}"'
            )
        },
    )


@require_permission(Permission.VIEW_SAFEGUARDING_QUALITY)
@require_GET
def quality(request: AuthedRequest) -> HttpResponse:
    """MSP, conversion, repeats, timeliness and risk outcomes by team and month, and a
    reproducible sample of the month's concluded Section 42 enquiries to read."""
    today = timezone.localdate()
    form = QualityForm(request.GET or None, teams=Team.objects.order_by("name"), today=today)
    if request.GET and not form.is_valid():
        return render(
            request, "sacreport/quality.html", {"form": form, "figures": None}, status=400
        )
    chosen = form.cleaned_data if request.GET else {}
    month = chosen.get("month") or form.default_month
    size = chosen.get("size") or quality_figures.SAMPLE_SIZES[0]
    seed = chosen.get("seed", 1)
    figures = quality_figures.build(last_month=month, team=chosen.get("team"))
    sample = quality_figures.sample_enquiries(month=month, size=size, seed=seed)
    record_people_listed(request.user, person_ids=[enquiry.person_id for enquiry in sample])
    return render(
        request,
        "sacreport/quality.html",
        {
            "form": form,
            "figures": figures,
            "measures": quality_figures.MEASURES,
            "sample": sample,
            "month": month,
            "month_end": add_months(month, 1) - timedelta(days=1),
            "seed": seed,
        },
    )
