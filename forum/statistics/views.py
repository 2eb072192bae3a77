"""The statistics page and its CSV/XLSX exports (POST, audited, with the filters of the page's query string)."""
from __future__ import annotations

from datetime import date

from flask import current_app, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_login import current_user

from forum.clock import to_berlin, utcnow
from forum.extensions import db
from forum.forms import ConfirmForm
from forum.permissions import can_view_statistics, require
from forum.statistics import bp, charts, services
from forum.statistics.figures import Figure, Scope, figures
from forum.statistics.forms import StatisticsFilterForm


def _scope() -> tuple[StatisticsFilterForm, Scope]:
    """The filter form from the query string, and what it asks to count (refused values left out)."""
    today: date = to_berlin(utcnow()).date()
    form = StatisticsFilterForm(today=today)
    filters = form.chosen()
    return form, Scope(form.chosen_period(), land=filters.get("land", ""),
                       jobcenter_type=filters.get("jobcenter_type", ""))


def shown(value, percent: bool = False) -> str:
    """A number as the page writes it: 1.234, 83,3 %, or – where there is none."""
    if value is None:
        return "–"
    return f"{format_decimal(value)} %" if percent else format_decimal(value)


def _charts(figure: Figure) -> list:
    """One chart per charted column of the figure (columns for months, bars otherwise)."""
    draw = charts.column_chart if figure.monthly else charts.bar_chart
    made = []
    if not figure.rows:
        return made
    for column in figure.charted:
        percent = column in figure.percent
        title = figure.title if len(figure.charted) == 1 else f"{figure.title} – {figure.columns[column]}"
        made.append(draw(title, [charts.Bar(str(row[0]), row[column] or 0, shown(row[column], percent))
                                 for row in figure.rows]))
    return made


@bp.route("/")
def index():
    """Programme statistics for a year, a quarter or a range of days, filtered by Land and Jobcenter type."""
    require(can_view_statistics(current_user))
    form, scope = _scope()
    shown_figures = figures(scope, current_user)
    return render_template("statistics/index.html", form=form, scope=scope, figures=shown_figures,
                           charts={figure.key: _charts(figure) for figure in shown_figures}, shown=shown,
                           export_form=ConfirmForm())


def _download(data: bytes, mimetype: str, filename: str):
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/export.csv", methods=["POST"])
def export_csv():
    """The figures of the page as a CSV file for Excel; the export is written to the audit log."""
    require(can_view_statistics(current_user))
    form, scope = _scope()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("statistics.index", **form.query()))
    data = services.export_csv(scope, actor=current_user)
    db.session.commit()
    response = _download(data, "text/csv", f"programmstatistik-{scope.period.first}-{scope.period.last}.csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


@bp.route("/export.xlsx", methods=["POST"])
def export_xlsx():
    """The figures of the page as an Excel workbook; the export is written to the audit log."""
    require(can_view_statistics(current_user))
    form, scope = _scope()
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("statistics.index", **form.query()))
    data = services.export_xlsx(scope, actor=current_user)
    db.session.commit()
    return _download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"programmstatistik-{scope.period.first}-{scope.period.last}.xlsx")
