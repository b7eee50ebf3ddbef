"""The `caseload` console command: the engine's and the administrator's entry point.

Subcommands that need the database set Django up; engine subcommands (`tier`, `allocate`,
`supervision`, `forecast`, `plan`, `sac`) never import it, so that they run on files with no
database or settings.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from caseload_engine import (
    allocation,
    audit_sample,
    complexity,
    planning,
    sac,
    supervision,
    tabular,
    tiering,
)
from caseload_engine import forecast as forecasting
from caseload_engine import forecast_table as forecast_files
from caseload_engine import supervision_table as supervision_files
from caseload_engine.allocation import table as allocation_table
from caseload_engine.planning import scenario as planning_scenario
from caseload_engine.planning import variants as plan_variants

DEMO_PASSWORD = "caseload-demo-2026"  # noqa: S105 - synthetic council on a developer's machine
# Most teams are proven optimal in well under a second, but a rare one's work stage can take
# minutes to prove: a spreadsheet user should not wait that long for a near-certain answer.
ALLOCATE_TIME_LIMIT_S = 60.0
# Whose "today" `caseload supervision` means when given no day: the councils are in England.
COUNCIL_TIME_ZONE = ZoneInfo("Europe/London")
MAX_COUNCILS = 1000  # `plan-councils`: a queue of plans, not a flood


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseload.settings")
    import django

    django.setup()


def run_manage(argv: Sequence[str]) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["caseload manage", *argv])
    return 0


def run_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import timezone

    from caseload.demo_loader import load_demo_council
    from caseload.register.models import Team

    if Team.objects.exists():
        if args.if_empty:
            print("The database already holds a council; demo data not loaded.")
            _print_logins()
            return 0
        print("The database already holds a council. Demo data loads only into an empty one.")
        return 2
    started = time.perf_counter()
    loaded = load_demo_council(
        size=args.size, seed=args.seed, as_of=timezone.localdate(), password=args.password
    )
    seconds = time.perf_counter() - started
    print(
        f"Loaded the {args.size} demo council in {seconds:.1f} s: {loaded.teams} teams, "
        f"{loaded.practitioners} practitioners, {loaded.people} people, {loaded.cases} cases."
    )
    _print_logins()
    return 0


def _print_logins() -> None:
    from caseload.accounts.models import User

    print("\nDemo logins (synthetic data only), all with the password", repr(DEMO_PASSWORD))
    for username in ("practitioner", "manager", "psw", "director", "admin", "safeguarding"):
        user = User.objects.filter(username=username).first()
        if user is not None:
            print(f"  {username:<13} {user.get_access_role_display()}: {user.get_full_name()}")


def run_tier(args: argparse.Namespace) -> int:
    source = Path(args.input)
    target = Path(args.out or source.with_name(f"{source.stem}-scored{source.suffix}"))
    try:
        model = _load_model(args.model)
        table = tabular.read_table(source)
        rows = tiering.score_table(model, table)
        tabular.write_table(target, tiering.output_columns(table), [row.values for row in rows])
    except tiering.RowErrors as problems:
        for problem in problems.errors:
            print(f"{source}: {problem}", file=sys.stderr)
        count = len(problems.errors)
        print(f"{_plural(count, 'problem')}; nothing written.", file=sys.stderr)
        return 2
    except (complexity.ModelError, tabular.TableError) as error:
        print(error, file=sys.stderr)
        return 2
    per_tier = Counter(row.scored.tier for row in rows)
    tiers = sorted(band.tier for band in model.tiers)
    counts = ", ".join(f"{per_tier[tier]} in Tier {tier}" for tier in tiers)
    print(f"Scored {_plural(len(rows), 'row')} into {target}: {counts}.")
    return 0


def run_allocate(args: argparse.Namespace) -> int:
    sources = {"cases": Path(args.cases), "practitioners": Path(args.practitioners)}
    cases = sources["cases"]
    target = Path(args.out or cases.with_name(f"{cases.stem}-proposal{cases.suffix}"))
    report = _report_json if args.json else _report_text
    problems: list[dict[str, Any]] = []
    if target.suffix.lower() not in tabular.SUFFIXES:
        problems.append({"file": str(target), "message": f"{target} is not a .csv or .xlsx file"})
    if any(target.resolve() == source.resolve() for source in sources.values()):
        problems.append({"file": str(target), "message": "The proposal would overwrite an input"})
    try:
        model = _load_model(args.model)
    except complexity.ModelError as error:
        return _refuse([*problems, {"file": args.model, "message": str(error)}], args.json)
    readers = {
        "cases": allocation_table.read_cases,
        "practitioners": allocation_table.read_practitioners,
    }
    read: dict[str, Any] = {}
    for what, source in sources.items():
        try:
            read[what] = readers[what](model, tabular.read_table(source))
        except tiering.RowErrors as found:
            problems.extend(
                {"file": str(source), "row": e.row, "column": e.column, "message": e.message}
                for e in found.errors
            )
        except tabular.TableError as error:
            problems.append({"file": str(source), "message": str(error)})
    if problems:
        return _refuse(problems, args.json)
    rules = allocation.Rules(model=model, cross_team=args.cross_team)
    result = allocation.allocate(
        read["cases"], read["practitioners"], rules, time_limit_s=args.time_limit
    )
    try:
        tabular.write_table(
            target, allocation_table.PROPOSAL_COLUMNS, allocation_table.proposal_rows(result)
        )
    except tabular.TableError as error:
        return _refuse([{"file": str(target), "message": str(error)}], args.json)
    returning = sum(1 for case in read["cases"] if case.previous_practitioner)
    report(result, target, returning)
    return 0


def _refuse(problems: list[dict[str, Any]], as_json: bool) -> int:
    """Every problem, by file, row and column; nothing has been written."""
    if as_json:
        print(json.dumps({"written": False, "errors": problems}, indent=2))
        return 2
    for problem in problems:
        # A file's own error names it already.
        named = not problem.get("file") or problem["message"].startswith(problem["file"])
        where = "" if named else f"{problem['file']}: "
        if "row" in problem:
            where += f'row {problem["row"]}, column "{problem["column"]}": '
        print(f"{where}{problem['message']}", file=sys.stderr)
    print(f"{_plural(len(problems), 'problem')}; nothing written.", file=sys.stderr)
    return 2


def _report_text(result: allocation.AllocationResult, target: Path, returning: int) -> None:
    total = len(result.proposals)
    print(
        f"Proposed {result.allocated} of {_plural(total, 'case')} into {target} "
        f"({result.not_allocated} not allocated)."
    )
    print(
        f"Highest utilisation {round(result.highest_utilisation * 100)}%; continuity kept for "
        f"{result.continuity_kept} of {_plural(returning, 'case')} with a previous practitioner."
    )
    if result.optimal:
        print("Proven optimal for the allocation objective.")
    else:
        stage, gap = max(result.stage_gaps.items(), key=lambda item: item[1])
        print(
            f"Best found within the time limit: at most {gap:.1%} from the best possible "
            f"({stage.replace('_', ' ')})."
        )


def _report_json(result: allocation.AllocationResult, target: Path, returning: int) -> None:
    summary = {
        "written": True,
        "out": str(target),
        "cases": len(result.proposals),
        "allocated": result.allocated,
        "not_allocated": result.not_allocated,
        "highest_utilisation": round(result.highest_utilisation, 4),
        "continuity_kept": result.continuity_kept,
        "with_previous_practitioner": returning,
        "optimal": result.optimal,
        "stage_gaps": result.stage_gaps,
        "utilisation": [
            {
                "practitioner_id": used.practitioner_id,
                "capacity_points": float(used.capacity_points),
                "before_points": float(used.before_points),
                "after_points": float(used.after_points),
            }
            for used in result.utilisation
        ],
    }
    print(json.dumps(summary, indent=2))


def run_supervision(args: argparse.Namespace) -> int:
    sources = {"practitioners": Path(args.practitioners), "sessions": Path(args.sessions)}
    if args.absences:
        sources["absences"] = Path(args.absences)
    people = sources["practitioners"]
    default_out = people.with_name(f"{people.stem}-due{people.suffix}")
    # With --json the rows are in the document: a file only when --out asks for one.
    target = Path(args.out) if args.out else (None if args.json else default_out)
    on = args.on or datetime.now(COUNCIL_TIME_ZONE).date()
    problems: list[dict[str, Any]] = []
    if target is not None:
        if target.suffix.lower() not in tabular.SUFFIXES:
            problems.append(
                {"file": str(target), "message": f"{target} is not a .csv or .xlsx file"}
            )
        if any(target.resolve() == source.resolve() for source in sources.values()):
            problems.append({"file": str(target), "message": "The output would overwrite an input"})
    read: dict[str, Any] = {}
    known: set[str] | None = None
    for what, source in sources.items():
        try:
            table = tabular.read_table(source)
            if what == "practitioners":
                read[what] = supervision_files.read_practitioners(table)
                known = {practitioner.practitioner_id for practitioner in read[what]}
            elif what == "sessions":
                read[what] = supervision_files.read_sessions(table, known)
            else:
                read[what] = supervision_files.read_absences(table, known)
        except tiering.RowErrors as found:
            problems.extend(
                {"file": str(source), "row": e.row, "column": e.column, "message": e.message}
                for e in found.errors
            )
        except tabular.TableError as error:
            problems.append({"file": str(source), "message": str(error)})
    if problems:
        return _refuse(problems, args.json)
    practitioners = read["practitioners"]
    standings = supervision_files.standings(
        practitioners, read["sessions"], read.get("absences", {}), on=on
    )
    rows = [
        supervision_files.due_row(practitioner, standing)
        for practitioner, standing in zip(practitioners, standings, strict=True)
    ]
    if target is not None:
        try:
            tabular.write_table(target, supervision_files.DUE_COLUMNS, rows)
        except tabular.TableError as error:
            return _refuse([{"file": str(target), "message": str(error)}], args.json)
    overdue = sum(1 for standing in standings if standing.overdue_days)
    not_compliant = sum(1 for standing in standings if not standing.compliant)
    if args.json:
        document = {
            "written": target is not None,
            "out": None if target is None else str(target),
            "on": on.isoformat(),
            "practitioners": len(rows),
            "overdue": overdue,
            "not_compliant": not_compliant,
            "due": [
                {
                    **row,
                    "last_session": standing.last_session and standing.last_session.isoformat(),
                    "next_due": standing.next_due and standing.next_due.isoformat(),
                    "compliant": standing.compliant,
                    "missed": [missed.isoformat() for missed in standing.missed],
                }
                for row, standing in zip(rows, standings, strict=True)
            ],
        }
        print(json.dumps(document, indent=2))
        return 0
    print(
        f"Wrote {_plural(len(rows), 'practitioner')} into {target}, as on "
        f"{supervision.day_text(on)}: {overdue} overdue, {not_compliant} not compliant over the "
        f"{supervision.COMPLIANCE_MONTHS} months to then."
    )
    return 0


def run_forecast(args: argparse.Namespace) -> int:
    source = Path(args.input)
    default_out = source.with_name(f"{source.stem}-forecast{source.suffix}")
    # With --json the forecasts are in the document: a file only when --out asks for one.
    target = Path(args.out) if args.out else (None if args.json else default_out)
    problems: list[dict[str, Any]] = []
    if target is not None:
        if target.suffix.lower() not in tabular.SUFFIXES:
            problems.append(
                {"file": str(target), "message": f"{target} is not a .csv or .xlsx file"}
            )
        if target.resolve() == source.resolve():
            problems.append(
                {"file": str(target), "message": "The output would overwrite the input"}
            )
    try:
        weekly = forecast_files.read_weekly_requests(tabular.read_table(source))
    except tiering.RowErrors as found:
        problems.extend(
            {"file": str(source), "row": e.row, "column": e.column, "message": e.message}
            for e in found.errors
        )
    except tabular.TableError as error:
        problems.append({"file": str(source), "message": str(error)})
    if problems:
        return _refuse(problems, args.json)
    rows: list[dict[str, tabular.Cell]] = []
    results: list[tuple[forecast_files.Group, forecasting.Forecast]] = []
    refused: list[tuple[forecast_files.Group, str]] = []
    for group in weekly.groups:
        try:
            result = forecasting.forecast_weekly(group.series, horizon=args.weeks, level=args.level)
        except forecasting.ForecastRefused as refusal:
            refused.append((group, str(refusal)))
            continue
        results.append((group, result))
        rows.extend(forecast_files.forecast_rows(weekly, group, result))
    if target is not None:  # the groups that could be forecast: none is not an error in itself
        try:
            tabular.write_table(target, forecast_files.output_columns(weekly), rows)
        except tabular.TableError as error:
            return _refuse([{"file": str(target), "message": str(error)}], args.json)
    if args.json:
        document = _forecast_document(weekly, results, refused, target, args)
        print(json.dumps(document, indent=2))
    else:
        _forecast_text(weekly, results, refused, target, args)
    return 1 if refused else 0


def _forecast_text(
    weekly: forecast_files.WeeklyRequests,
    results: list[tuple[forecast_files.Group, forecasting.Forecast]],
    refused: list[tuple[forecast_files.Group, str]],
    target: Path | None,
    args: argparse.Namespace,
) -> None:
    for group, result in results:
        print(f"{weekly.label(group)}: {result.method_name}. {_backtest_text(result)}")
        if group.missing_weeks:
            print(f"  {_plural(group.missing_weeks, 'week')} with no row, taken as 0 requests.")
    for group, message in refused:
        print(f"{weekly.label(group)}: not forecast. {message}", file=sys.stderr)
    if target is not None:
        print(
            f"Wrote {_plural(args.weeks, 'week')} of forecasts for "
            f"{_plural(len(results), 'group')} into {target}, with {args.level:.0%} prediction "
            "intervals."
        )


def _backtest_text(result: forecasting.Forecast) -> str:
    held_out = forecasting.BACKTEST_WEEKS
    if result.mase is None or result.naive_mase is None:
        return (
            f"No backtest error over the last {held_out} weeks held out: requests did not change "
            "from one year to the next, so there is nothing to scale it by."
        )
    others = f"seasonal naive {result.naive_mase:.2f}"
    if result.holt_winters_mase is not None:
        others += f", Holt-Winters {result.holt_winters_mase:.2f}"
    return (
        f"Backtest MASE over the last {held_out} weeks held out: {result.mase:.2f} ({others}; "
        "below 1 is closer than last year's figures were)."
    )


def _forecast_document(
    weekly: forecast_files.WeeklyRequests,
    results: list[tuple[forecast_files.Group, forecasting.Forecast]],
    refused: list[tuple[forecast_files.Group, str]],
    target: Path | None,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The figures as the file has them (to one decimal place), as JSON numbers."""
    return {
        "written": target is not None,
        "out": None if target is None else str(target),
        "weeks": args.weeks,
        "level": args.level,
        "backtest_weeks": forecasting.BACKTEST_WEEKS,
        "groups": [
            {
                "group": weekly.named(group),
                "method": result.method,
                "mase": result.mase,
                "naive_mase": result.naive_mase,
                "holt_winters_mase": result.holt_winters_mase,
                "missing_weeks": group.missing_weeks,
                "forecast": [
                    {
                        key: row[key] if key == "week" else float(row[key])
                        for key in forecast_files.OUTPUT_COLUMNS
                    }
                    for row in forecast_files.forecast_rows(weekly, group, result)
                ],
            }
            for group, result in results
        ],
        "refused": [
            {"group": weekly.named(group), "message": message} for group, message in refused
        ],
    }


def run_plan(args: argparse.Namespace) -> int:
    """The plan for a scenario: printed, as JSON, and (with --out) as a spreadsheet."""
    source = Path(args.scenario)
    target = Path(args.out) if args.out else None
    problems: list[dict[str, Any]] = []
    if target is not None:
        if target.suffix.lower() not in tabular.SUFFIXES:
            problems.append(
                {"file": str(target), "message": f"{target} is not a .csv or .xlsx file"}
            )
        elif target.resolve() == source.resolve():
            problems.append({"file": str(target), "message": "The plan would overwrite an input"})
    try:
        scenario = planning.read_file(source, model=_load_model(args.model))
    except (complexity.ModelError, planning.ScenarioError) as error:
        problems.append({"file": str(source), "message": str(error)})
    if problems:
        return _refuse(problems, args.json)
    plan = planning.make_plan(scenario, search=args.search)
    if target is not None:
        try:
            tabular.write_table(target, planning.TABLE_COLUMNS, planning.table_rows(plan))
        except tabular.TableError as error:
            return _refuse([{"file": str(target), "message": str(error)}], args.json)
    if args.json:
        print(json.dumps(planning.as_json(plan), indent=2))
        return 0
    print("\n".join(planning.text_lines(plan)))
    if target is not None:
        print(f"Written into {target}.")
    return 0


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return seconds


def run_calibrate(args: argparse.Namespace) -> int:
    """A scenario calibrated from a file of case histories: written as YAML, the fits printed."""
    # scipy (the fits) takes most of a second to import: only this command needs it.
    from caseload_engine.planning import calibrate, history_table

    source = Path(args.histories)
    target = Path(args.out) if args.out else source.with_name(f"{source.stem}-scenario.yaml")
    problems: list[dict[str, Any]] = []
    if target.suffix.lower() not in (".yaml", ".yml"):
        problems.append({"file": str(target), "message": f"{target} is not a .yaml file"})
    if target.resolve() == source.resolve():
        problems.append({"file": str(target), "message": "The scenario would overwrite the input"})
    fte: dict[str, float] = {}
    for given in args.fte or []:
        role, _, figure = given.partition("=")
        try:
            value = float(figure) if figure.isascii() else math.nan
        except ValueError:
            value = math.nan
        if (
            role not in planning_scenario.CASE_ROLE_CODES
            or not 0 <= value <= planning_scenario.MAX_FTE
        ):
            problems.append(
                {
                    "message": f"--fte {given!r:.60}: give a case-holding role and its FTE, "
                    f"e.g. social_worker=74 (roles: {', '.join(planning_scenario.CASE_ROLE_CODES)})"
                }
            )
        else:
            fte[role] = value
    histories: list[calibrate.CaseHistory] = []
    try:
        model = _load_model(args.model)
        histories = history_table.read_histories(tabular.read_table(source))
    except tiering.RowErrors as found:
        problems.extend(
            {"file": str(source), "row": e.row, "column": e.column, "message": e.message}
            for e in found.errors
        )
    except (tabular.TableError, complexity.ModelError) as error:
        problems.append({"file": str(source), "message": str(error)})
    if problems:
        return _refuse(problems, args.json)
    until = args.until or _day_after_latest(histories)
    try:
        result = calibrate.calibrate(
            histories,
            until=until,
            weeks=args.weeks,
            points={band.tier: band.points for band in model.tiers},
            roles=calibrate.roles_from_model(model, fte, {h.tier for h in histories}),
            by_team=args.by_team,
            empirical=args.empirical,
        )
        planning.from_dict(result.scenario, model=model)
    except (calibrate.CalibrationError, planning.ScenarioError) as error:
        return _refuse([{"file": str(source), "message": str(error)}], args.json)
    try:
        _write_text(target, _SCENARIO_HEADER + yaml.safe_dump(result.scenario, sort_keys=False))
    except OSError as error:
        return _refuse(
            [{"file": str(target), "message": f"Cannot write {target}: {error}"}], args.json
        )
    if args.json:
        print(json.dumps({"written": str(target), "scenario": result.scenario,
                          "fits": history_table.fit_rows(result), "notes": list(result.notes)},
                         indent=2))  # fmt: skip
        return 0
    _calibration_text(result, history_table.fit_rows(result))
    print(f"Written the scenario into {target}.")
    return 0


_SCENARIO_HEADER = (
    "# Calibrated by `caseload calibrate` from case histories: demand and durations by tier.\n"
    "# Check the roles' FTE (from --fte; 0 where none was given) before planning with it.\n"
)


def _day_after_latest(histories: Sequence[Any]) -> date:
    """The window ends after the file's latest date: its cases open then are open now."""
    days = [
        day
        for history in histories
        for day in (history.requested_on, history.allocated_on, history.closed_on)
        if day is not None
    ]
    return max(days) + timedelta(days=1) if days else date.today()


def _write_text(path: Path, text: str) -> None:
    """Written beside the target and moved into place once complete: never half-written."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _calibration_text(result: Any, rows: list[dict[str, tabular.Cell]]) -> None:
    print(
        f"Requests from {result.first_day.isoformat()} to "
        f"{(result.until - timedelta(days=1)).isoformat()}; durations in weeks, from "
        "allocation to closure (open cases censored)."
    )
    quantiles = [column for column in rows[0] if column.startswith("q")] if rows else []
    heads = ["fit", "mean", "sd", "AIC", "KS", *(f"{q[1:]}%" for q in quantiles)]
    shown: tuple[object, ...] = ()
    for row in rows:
        key = (row["tier"], row["team"])
        if key != shown:
            shown = key
            print(
                f"\nTier {row['tier']}, {row['team']}: {row['per_week']} requests a week "
                f"(95% interval {row['ci_low']}-{row['ci_high']}), "
                f"{row['share_becoming_cases']} becoming cases; {row['cases']} allocated, "
                f"{row['closed']} closed"
            )
            print(
                "  "
                + "".join(f"{head:>10}" if i else f"{head:<26}" for i, head in enumerate(heads))
            )
        name = str(row["distribution"]) + (" (chosen)" if row.get("chosen") else "")
        cells = [
            row.get(column, "")
            for column in ("mean_weeks", "sd_weeks", "aic", "ks_distance", *quantiles)
        ]
        print("  " + f"{name:<26}" + "".join(f"{cell!s:>10}" for cell in cells))
    for note in result.notes:
        print(f"\nNote: {note}")


def _load_model(path: str | None) -> complexity.ComplexityModel:
    return complexity.default_model() if path is None else complexity.read_file(Path(path))


def run_handovers(args: argparse.Namespace) -> int:
    return _run_daily(["handovers"], on=args.on, enqueue=args.enqueue)


def run_daily(args: argparse.Namespace) -> int:
    return _run_daily(None, on=args.on, enqueue=args.enqueue)


def _run_daily(keys: list[str] | None, *, on: date | None, enqueue: bool) -> int:
    """Each daily kind of job for the day (these, or every one the apps registered): run here,
    one after another, saying what each did (for cron's mail), or queued for the workers."""
    _setup_django()
    from django.utils import dateformat, timezone

    from caseload.jobs import registry, tasks
    from caseload.jobs.actions import record_job, start_job
    from caseload.jobs.models import Job

    day = on or timezone.localdate()
    failed = 0
    for key in keys if keys is not None else [kind.key for kind in registry.daily()]:
        kind = registry.find(key)
        if kind is None:
            raise LookupError(f"No daily job {key!r}")  # registered by the apps themselves
        title = f"{kind.label}, {dateformat.format(day, 'j F Y')}"
        if enqueue:
            job = start_job(by=None, kind=key, title=title, parameters={"on": day.isoformat()})
            print(f"Queued job {job.pk}: {title}.")
            continue
        job = record_job(by=None, kind=key, title=title, parameters={"on": day.isoformat()})
        tasks.execute(job.pk)
        job.refresh_from_db()
        if job.status == Job.Status.SUCCEEDED:
            print(job.summary)
        else:
            failed += 1
            print(f"{title}: {job.error_message}", file=sys.stderr)
    return 1 if failed else 0


def _council_count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_COUNCILS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_COUNCILS:,}")
    return int(text)


def run_plan_councils(args: argparse.Namespace) -> int:
    """One `workforce_plan` job a council, queued for the database workers (`caseload manage
    db_worker`, any number, on any machine sharing the database). Nothing is queued if the
    scenario is wrong."""
    try:
        scenario = planning.read_file(Path(args.scenario))
        if args.replications is not None:
            scenario = planning.from_dict(
                {**planning_scenario.to_dict(scenario), "replications": args.replications}
            )
    except planning.ScenarioError as error:
        print(f"{error}; nothing queued.", file=sys.stderr)
        return 2
    _setup_django()
    from django.db import transaction

    from caseload.planning.actions import start_plan

    councils = plan_variants.councils(scenario, args.count)
    # One transaction: the jobs are queued together once all are recorded, or none is.
    with transaction.atomic():
        started = [
            start_plan(
                by=None,
                scenario=council,
                title=f"Workforce plan: council {number} of {args.count}",
                curve=False,
            )[1]
            for number, council in enumerate(councils, 1)
        ]
    print(
        f"Queued {len(started)} workforce plans as jobs {started[0].pk}-{started[-1].pk}; "
        "`caseload manage db_worker` runs them (start as many workers as you like, on any "
        "machine sharing the database)."
    )
    return 0


REPORT_SUFFIXES = (*tabular.SUFFIXES, ".json")


def run_report(args: argparse.Namespace) -> int:
    """The Health Check from the database, as the page shows it today: the same figures, built
    by the same function. Or the Safeguarding Adults Collection for a financial year."""
    target = Path(args.out)
    if target.suffix.lower() not in REPORT_SUFFIXES:
        print(f"{target} is not a .csv, .xlsx or .json file; nothing written.", file=sys.stderr)
        return 2
    if args.name == "sac":
        return _report_sac(args, target)
    if args.year is not None or args.raw:
        print("--year and --raw are for the sac report; nothing written.", file=sys.stderr)
        return 2
    _setup_django()
    from django.utils import timezone

    from caseload.healthcheck import figures

    built = figures.build(on=timezone.localdate())
    try:
        if target.suffix.lower() == ".json":
            target.write_text(json.dumps(built, indent=2, ensure_ascii=False) + "\n", "utf-8")
        else:
            tabular.write_table(target, figures.TABLE_COLUMNS, figures.table_rows(built))
    except (OSError, tabular.TableError) as error:
        print(f"{error}; nothing written.", file=sys.stderr)
        return 2
    missing = [s["title"] for s in built["sections"] if not s["available"]]
    print(f"Wrote the Health Check as on {built['as_of']} into {target}.")
    if missing:
        print(f"Not yet available: {', '.join(missing)}.")
    return 0


def _report_sac(args: argparse.Namespace, target: Path) -> int:
    """The SAC's tables for the year, small numbers suppressed unless --raw: JSON as each table's
    rows, CSV and XLSX as one long table (table, row, column, value)."""
    _setup_django()
    from django.utils import timezone

    from caseload.sacreport import records

    year = args.year or sac.year_of(timezone.localdate())
    return _write_sac(records.year_tables(year), year, raw=args.raw, target=target)


def _write_sac(tables: list[sac.Table], year: sac.FinancialYear, *, raw: bool, target: Path) -> int:
    published = [sac.raw(table) if raw else sac.publish(table) for table in tables]
    try:
        if target.suffix.lower() == ".json":
            report = sac.report_json(published, year, raw=raw)
            target.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
        else:
            tabular.write_table(target, sac.LONG_COLUMNS, sac.long_rows(published))
    except (OSError, tabular.TableError) as error:
        print(f"{error}; nothing written.", file=sys.stderr)
        return 2
    suppressed = "every count" if raw else "small numbers suppressed"
    print(f"Wrote the Safeguarding Adults Collection for {year} ({suppressed}) into {target}.")
    return 0


def run_sac(args: argparse.Namespace) -> int:
    """The SAC's tables from the records export's files, with no database: anyone holding the
    export can check the return."""
    target = Path(args.out)
    if target.suffix.lower() not in REPORT_SUFFIXES:
        print(f"{target} is not a .csv, .xlsx or .json file; nothing written.", file=sys.stderr)
        return 2
    try:
        enquiries = sac.enquiries_from_json(_read_json(args.enquiries))
        concerns = sac.concerns_from_json(_read_json(args.concerns))
    except (OSError, ValueError) as error:  # RecordError and JSONDecodeError are ValueErrors
        print(f"{error}; nothing written.", file=sys.stderr)
        return 2
    tables = sac.tables(enquiries=enquiries, concerns=concerns, year=args.year)
    return _write_sac(tables, args.year, raw=args.raw, target=target)


def _read_json(path: str) -> object:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None


def run_export(args: argparse.Namespace) -> int:
    """The records under the SAC, one JSON object each, to a file or the standard output."""
    _setup_django()
    from caseload.sacreport import records

    if args.records == "enquiries":
        data = [record.as_json() for record in records.enquiry_records(year=args.year)]
    else:
        data = [sac.concern_json(record) for record in records.concern_records(year=args.year)]
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, "utf-8")
    except OSError as error:
        print(
            f"Cannot write {args.out}: {error.strerror or error}; nothing written.", file=sys.stderr
        )
        return 2
    one = {"enquiries": "enquiry", "concerns": "concern"}[args.records]
    print(f"Wrote {len(data)} {one if len(data) == 1 else args.records} into {args.out}.")
    return 0


def run_audit_sample(args: argparse.Namespace) -> int:
    """The month's case file audit sample, as the sample page draws it (the same function)."""
    try:
        month = audit_sample.parse_month(args.month)
        filters = [audit_sample.make_filter(name, text) for name, text in args.filter or []]
    except audit_sample.SampleError as error:
        print(error, file=sys.stderr)
        return 2
    if not 1 <= args.per_team <= audit_sample.MAX_PER_TEAM:
        print(f"--per-team must be 1 to {audit_sample.MAX_PER_TEAM}", file=sys.stderr)
        return 2
    _setup_django()
    from caseload.audits.sampling import sample_for

    picks = sample_for(month, per_team=args.per_team, filters=filters)
    if args.json:
        print(json.dumps({"month": f"{month:%Y-%m}", "cases": [p.as_json() for p in picks]}))
        return 0
    print(f"{_plural(len(picks), 'case')} sampled for {month:%B %Y}:")
    for pick in picks:
        print(f"  case {pick.case_id}  team {pick.team}  practitioner {pick.practitioner}")
    return 0


def _filter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"give a filter as NAME=VALUE, such as tier=3: {text!r}")
    return name.strip(), value


def run_serve(args: argparse.Namespace) -> int:
    """The development server with a task worker beside it. Ctrl+C (which the terminal sends to
    all three) or SIGTERM to this process stops both."""
    _setup_django()
    from django.conf import settings

    manage = [sys.executable, "-m", "caseload.cli", "manage"]
    commands = [[*manage, "runserver", args.address]]
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        # It reloads on code changes as the server does (db_worker follows DEBUG).
        commands.append([*manage, "db_worker", "--interval", "1"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    children: list[subprocess.Popen[bytes]] = []
    try:
        # Our own interpreter and commands: no untrusted input (S603).
        children.extend(subprocess.Popen(command) for command in commands)  # noqa: S603
        return children[0].wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day like 2026-12-01: {text!r}") from None


def _window_weeks(text: str) -> int:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= planning_scenario.MAX_WEEKS:
        return int(text)
    raise argparse.ArgumentTypeError(
        f"not a whole number of weeks from 1 to {planning_scenario.MAX_WEEKS}"
    )


def _supervision_day(text: str) -> date:
    day = _day(text)
    if not supervision_files.EARLIEST <= day <= supervision_files.LATEST:
        first, last = supervision_files.EARLIEST, supervision_files.LATEST
        raise argparse.ArgumentTypeError(f"not a day from {first} to {last}: {text!r}")
    return day


def _horizon(text: str) -> int:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= forecasting.MAX_HORIZON:
        return int(text)
    raise argparse.ArgumentTypeError(
        f"not a number of weeks from 1 to {forecasting.MAX_HORIZON}: {text!r}"
    )


def _level(text: str) -> float:
    try:
        level = float(text)
    except ValueError:
        level = 0.0
    if not 0 < level < 1:
        raise argparse.ArgumentTypeError(f"not a level above 0 and below 1, such as 0.8: {text!r}")
    return level


def _financial_year(text: str) -> sac.FinancialYear:
    try:
        return sac.financial_year(text)
    except sac.RecordError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caseload",
        description="caseload: deploy adult social workers by complexity.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="load a synthetic demo council into an empty database")
    demo.add_argument("--size", choices=["small", "council", "large"], default="small")
    demo.add_argument("--seed", type=int, default=2026, help="same seed, same council")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if data is present")
    demo.add_argument("--password", default=DEMO_PASSWORD, help="password for the demo logins")

    tier = commands.add_parser(
        "tier",
        help="score a spreadsheet of cases into complexity tiers",
        description="Score each row of a CSV or XLSX file (one column per factor, each 1-3) and "
        "write it with its total, tier and points. Nothing is written if any cell is wrong.",
    )
    tier.add_argument("input", metavar="INPUT", help="a .csv or .xlsx file")
    tier.add_argument(
        "--model", metavar="MODEL.yaml", help="the complexity model (default: caseload's own)"
    )
    tier.add_argument(
        "--out", metavar="OUTPUT", help="where to write (default: INPUT-scored, same file type)"
    )

    allocate = commands.add_parser(
        "allocate",
        help="propose who takes each waiting case, from spreadsheets",
        description="Propose a practitioner for each waiting case (or say why nobody), "
        "optimal for caseload's allocation objective and never breaking a hard rule. Cases: "
        "case_id, team, tier [, points, previous_practitioner, required_skills, reserved, "
        "waiting_since, priority]. Practitioners: practitioner_id, team, role [, fte, "
        "current_points, capacity_points, skills, available, name]. Nothing is written if any "
        "cell is wrong.",
    )
    allocate.add_argument("--cases", required=True, metavar="CASES", help="a .csv or .xlsx file")
    allocate.add_argument(
        "--practitioners", required=True, metavar="PRACTITIONERS", help="a .csv or .xlsx file"
    )
    allocate.add_argument(
        "--out",
        metavar="OUTPUT",
        help="where to write the proposal, .csv or .xlsx (default: CASES-proposal, same type)",
    )
    allocate.add_argument(
        "--model", metavar="MODEL.yaml", help="the complexity model (default: caseload's own)"
    )
    allocate.add_argument(
        "--cross-team", action="store_true", help="let cases go to practitioners of other teams"
    )
    allocate.add_argument(
        "--time-limit",
        type=_seconds,
        default=ALLOCATE_TIME_LIMIT_S,
        metavar="SECONDS",
        help="stop searching after this long and keep the best found; the summary says how "
        f"far from optimal it may be (default: {ALLOCATE_TIME_LIMIT_S:.0f})",
    )
    allocate.add_argument("--json", action="store_true", help="print the summary as JSON")

    supervision_command = commands.add_parser(
        "supervision",
        help="who is due or overdue for supervision, from spreadsheets",
        description="Work out, for each practitioner, the last counting supervision session, "
        "the next due date, days overdue, sessions counted and too short, and whether they "
        "kept to the policy in the 12 months to the day (Employer Standard 5's frequencies; "
        "docs/supervision.md). Practitioners: practitioner_id, role, started [, asye, name]. "
        "Sessions: practitioner_id, date, minutes. Absences: practitioner_id, starts_on "
        "[, ends_on]. Nothing is written if any cell is wrong.",
    )
    supervision_command.add_argument(
        "--practitioners", required=True, metavar="PRACTITIONERS", help="a .csv or .xlsx file"
    )
    supervision_command.add_argument(
        "--sessions", required=True, metavar="SESSIONS", help="a .csv or .xlsx file"
    )
    supervision_command.add_argument(
        "--absences", metavar="ABSENCES", help="a .csv or .xlsx file of leave and sickness"
    )
    supervision_command.add_argument(
        "--on",
        type=_supervision_day,
        metavar="YYYY-MM-DD",
        help="the day to work it out for (default: today in England)",
    )
    supervision_command.add_argument(
        "--out",
        metavar="OUTPUT",
        help="where to write, .csv or .xlsx (default: PRACTITIONERS-due, same type; with "
        "--json, no file unless this is given)",
    )
    supervision_command.add_argument(
        "--json", action="store_true", help="print the result, every row, as JSON"
    )

    forecast_command = commands.add_parser(
        "forecast",
        help="forecast requests per week, per group, from a spreadsheet",
        description="Forecast each group's requests for the coming weeks with a prediction "
        "interval, by Holt-Winters exponential smoothing with annual seasonality or, where it "
        "did no better on the last 12 weeks held out, the same week last year. Columns: week "
        "(its Monday), requests, and any others as the groups to forecast separately (e.g. "
        "team, tier); each group needs at least 104 weeks. Nothing is written if any cell is "
        "wrong; a group with too few weeks is named and the others are forecast (exit status "
        "1).",
    )
    forecast_command.add_argument("input", metavar="INPUT", help="a .csv or .xlsx file")
    forecast_command.add_argument(
        "--weeks",
        type=_horizon,
        default=12,
        metavar="N",
        help=f"how many weeks to forecast, 1 to {forecasting.MAX_HORIZON} (default: 12)",
    )
    forecast_command.add_argument(
        "--level",
        type=_level,
        default=0.8,
        metavar="LEVEL",
        help="the prediction interval's coverage, above 0 and below 1 (default: 0.8, 80%%)",
    )
    forecast_command.add_argument(
        "--out",
        metavar="OUTPUT",
        help="where to write, .csv or .xlsx (default: INPUT-forecast, same type; with --json, "
        "no file unless this is given)",
    )
    forecast_command.add_argument(
        "--json", action="store_true", help="print the result, every forecast, as JSON"
    )

    plan = commands.add_parser(
        "plan",
        help="workforce planning: open cases, waiting and FTE by role for a scenario",
        description="Read a workforce planning scenario (YAML or JSON: demand by tier, case "
        "durations, the roles with FTE and capacity, attrition and recruitment, a service "
        "level; README, 'Workforce planning') and print the steady state (Little's law) and the "
        "simulated time to allocation, with 95% intervals over the replications. Nothing is "
        "simulated if any key is wrong.",
    )
    plan.add_argument("scenario", metavar="SCENARIO", help="a .yaml or .json scenario")
    plan.add_argument(
        "--model",
        metavar="MODEL.yaml",
        help="the complexity model that says which roles may hold each tier when a role names "
        "no may_hold (default: caseload's own)",
    )
    plan.add_argument(
        "--search",
        action="store_true",
        help="also search for the least-cost whole-FTE staffing that meets the service level",
    )
    plan.add_argument("--out", metavar="OUTPUT", help="also write the plan as .xlsx or .csv")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")

    calibrate_command = commands.add_parser(
        "calibrate",
        help="workforce planning: a scenario calibrated from a file of case histories",
        description="Read case histories (CSV or XLSX, one row a request: tier, team, "
        "requested_on, allocated_on, closed_on; README, 'Calibration') and write a planning "
        "scenario: requests a week by tier with 95%% intervals, the share becoming cases and "
        "case durations (exponential or lognormal by AIC, fitted with the cases still open "
        "censored), the fits printed against the observed quantiles. Nothing is written if "
        "any cell is wrong.",
    )
    calibrate_command.add_argument("histories", metavar="HISTORIES", help="a .csv or .xlsx file")
    calibrate_command.add_argument(
        "--out", metavar="SCENARIO.yaml", help="where to write (default: beside the input)"
    )
    calibrate_command.add_argument(
        "--until",
        type=_supervision_day,
        metavar="YYYY-MM-DD",
        help="the window ends the day before (default: the day after the file's latest date)",
    )
    calibrate_command.add_argument(
        "--weeks", type=_window_weeks, default=104, help="the window's length (default 104)"
    )
    calibrate_command.add_argument(
        "--by-team", action="store_true", help="also fit each tier in each team"
    )
    calibrate_command.add_argument(
        "--empirical",
        action="store_true",
        help="write each tier's durations as the empirical list (Kaplan-Meier quantiles) "
        "instead of the chosen fit",
    )
    calibrate_command.add_argument(
        "--fte",
        action="append",
        metavar="ROLE=FTE",
        help="a role's FTE in the scenario, e.g. --fte social_worker=74 (repeat for each role)",
    )
    calibrate_command.add_argument(
        "--model",
        metavar="MODEL.yaml",
        help="the complexity model: points per tier, capacity, who may hold each tier "
        "(default: caseload's own)",
    )
    calibrate_command.add_argument("--json", action="store_true", help="print the result as JSON")
    plan_councils = commands.add_parser(
        "plan-councils",
        help="queue a workforce plan for each of England's councils, for the task workers",
        description="Queue one workforce_plan job per council: the scenario scaled to each "
        "council's size (demand and establishment; sizes lognormal, median the scenario's), "
        "each with its own seed. The database task workers (`caseload manage db_worker`, any "
        "number, on any machine sharing the database) run them; each plan is kept, unsaved, "
        "with its result (without the waiting-time curve the planning page adds).",
    )
    plan_councils.add_argument(
        "--count",
        type=_council_count,
        default=plan_variants.ENGLAND_COUNCILS,
        metavar="N",
        help="how many councils, 1-1,000 (default: 153, England's)",
    )
    plan_councils.add_argument(
        "--scenario",
        default=str(plan_variants.EXAMPLE),
        metavar="SCENARIO",
        help="the council to scale (default: the worked example)",
    )
    plan_councils.add_argument(
        "--replications",
        type=int,
        metavar="N",
        help="replications for every plan, instead of the scenario's",
    )

    handovers = commands.add_parser(
        "handovers",
        help="carry out the planned handovers that are due (`caseload daily` does it too)",
        description="Hand over every case whose planned handover (an accepted what-if for a "
        "practitioner away from a later day) is due, each in its own savepoint. A handover whose "
        "case was closed or moved meanwhile lapses; one that fails is logged, stays planned for "
        "the next run, and makes the exit status 1.",
    )
    handovers.add_argument(
        "--on",
        type=_day,
        metavar="YYYY-MM-DD",
        help="carry out those due on or before this day (default: today)",
    )
    handovers.add_argument(
        "--enqueue", action="store_true", help="queue it for a worker instead of running it here"
    )

    daily = commands.add_parser(
        "daily",
        help="the daily jobs: reviews falling due, notices of handovers and registration "
        "renewals, then handovers (run once a day, from cron)",
        description="Run each daily job for the day, one after another: held cases whose review "
        "falls due become work to allocate; notices of handovers coming up and of Social Work "
        "England registrations due for renewal; and the handovers due. Each notice goes to its "
        "recipient once. Exit status 1 if any job failed.",
    )
    daily.add_argument(
        "--on", type=_day, metavar="YYYY-MM-DD", help="the day to run for (default: today)"
    )
    daily.add_argument("--enqueue", action="store_true", help="queue them for the workers instead")

    report = commands.add_parser(
        "report",
        help="write a report from the database: the Health Check, the Safeguarding Adults "
        "Collection",
        description="healthcheck: the Employer Standards Health Check as it stands today, with "
        "the figures its page shows: .csv or .xlsx as one long table (section, group, measure, "
        "value), .json as the report's sections. sac: the Safeguarding Adults Collection's "
        "tables for a financial year, small numbers suppressed as the published statistics "
        "do: .csv or .xlsx as one long table (table, row, column, value), .json as each table's "
        "rows.",
    )
    report.add_argument("name", choices=["healthcheck", "sac"], help="the report to write")
    report.add_argument(
        "--out", required=True, metavar="OUTPUT", help="where to write: .csv, .xlsx or .json"
    )
    report.add_argument(
        "--year",
        type=_financial_year,
        metavar="YYYY-YY",
        help="sac: the financial year, such as 2025-26 (default: the one today falls in)",
    )
    report.add_argument(
        "--raw",
        action="store_true",
        help="sac: every count as it is, nothing suppressed (the council's own return)",
    )

    sac_command = commands.add_parser(
        "sac",
        help="the Safeguarding Adults Collection's tables from exported records (no database)",
        description="Build the SAC's tables for a financial year from the files `caseload "
        "export enquiries --json` and `caseload export concerns --json` wrote, exactly as "
        "`caseload report sac` builds them from the database.",
    )
    sac_command.add_argument("enquiries", help="the enquiries, as `export enquiries --json`")
    sac_command.add_argument(
        "--concerns", required=True, help="the concerns, as `export concerns --json`"
    )
    sac_command.add_argument(
        "--year", required=True, type=_financial_year, metavar="YYYY-YY", help="such as 2025-26"
    )
    sac_command.add_argument(
        "--out", required=True, metavar="OUTPUT", help="where to write: .csv, .xlsx or .json"
    )
    sac_command.add_argument("--raw", action="store_true", help="every count, nothing suppressed")

    export = commands.add_parser(
        "export",
        help="write the safeguarding records the SAC report counts, as JSON",
        description="One JSON object per enquiry (or concern), so the Safeguarding Adults "
        "Collection can be checked line by line against its records.",
    )
    export.add_argument("records", choices=["enquiries", "concerns"], help="the records to write")
    export.add_argument("--json", action="store_true", required=True, help="as JSON (required)")
    export.add_argument(
        "--year",
        type=_financial_year,
        metavar="YYYY-YY",
        help="only those the year's tables count: enquiries started or concluded in it, "
        "concerns received in it (default: all)",
    )
    export.add_argument("--out", metavar="OUTPUT", help="a .json file (default: the output)")

    audit_command = commands.add_parser(
        "audit", help="case file audits: the month's sample", description="Case file audits."
    )
    audit_commands = audit_command.add_subparsers(dest="audit_command", required=True)
    sample = audit_commands.add_parser(
        "sample",
        help="the month's reproducible random sample of cases to audit, per team",
        description="Draw the month's case file audit sample from the database, exactly as the "
        "sample page does: per team, from cases open or closed in the month, never a case "
        "audited in the six months before, practitioners not audited lately first. The same "
        "month gives the same sample every time.",
    )
    sample.add_argument("--month", required=True, metavar="YYYY-MM", help="the month to sample")
    sample.add_argument(
        "--per-team",
        type=int,
        default=audit_sample.DEFAULT_PER_TEAM,
        metavar="N",
        help=f"cases per team (default: {audit_sample.DEFAULT_PER_TEAM})",
    )
    sample.add_argument(
        "--filter",
        type=_filter,
        action="append",
        metavar="NAME=VALUE",
        help="a themed audit's filter, repeatable: tier=3, role=asye, status=closed, "
        "closed_between=2026-07-01..2026-09-30, "
        "s42_closed_between=2026-07-01..2026-09-30 (Section 42 enquiries closed), tag=...",
    )
    sample.add_argument("--json", action="store_true", help="print the sample as JSON")

    serve = commands.add_parser(
        "serve",
        help="the development server with a background worker beside it (`make run`)",
        description="Run Django's development server and a task worker together; Ctrl+C "
        "stops both. In production run the web server and `caseload manage db_worker` (on as "
        "many machines as needed) instead.",
    )
    serve.add_argument(
        "address", nargs="?", default="127.0.0.1:8000", help="address:port to serve on"
    )

    commands.add_parser(
        "manage", help="Django management commands (migrate, runserver, ...)", add_help=False
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["manage"]:
        return run_manage(args_list[1:])
    args = build_parser().parse_args(args_list)
    if args.command == "demo":
        return run_demo(args)
    if args.command == "tier":
        return run_tier(args)
    if args.command == "allocate":
        return run_allocate(args)
    if args.command == "supervision":
        return run_supervision(args)
    if args.command == "forecast":
        return run_forecast(args)
    if args.command == "plan":
        return run_plan(args)
    if args.command == "calibrate":
        return run_calibrate(args)
    if args.command == "plan-councils":
        return run_plan_councils(args)
    if args.command == "handovers":
        return run_handovers(args)
    if args.command == "daily":
        return run_daily(args)
    if args.command == "report":
        return run_report(args)
    if args.command == "export":
        return run_export(args)
    if args.command == "sac":
        return run_sac(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "audit":
        return run_audit_sample(args)
    return 2  # argparse has already refused any other command


if __name__ == "__main__":
    sys.exit(main())
