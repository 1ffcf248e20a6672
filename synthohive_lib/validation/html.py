"""Render a :class:`~synthohive_lib.validation.report.Report` as one self-contained HTML page.

Design choices, all for a page people can open anywhere and trust: inline CSS and inline SVG
only (no scripts, fonts, images or network), every text escaped, everything sorted worst
first so the problems are what one reads first, and plots only for what a reader needs to
judge a score (distributions, correlations, children per parent). The verdict banner comes
first: passed or failed, which gate on which number, and the run it belongs to.

This module only lays out what the report computed: every number, histogram, matrix and
pass/fail comes from :mod:`~synthohive_lib.validation.report` and the modules it calls.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from synthohive_lib.validation.privacy import privacy_tests
from synthohive_lib.validation.scoring import not_scored_reason
from synthohive_lib.validation.svg import grouped_bars, heatmap, score_bar
from synthohive_lib.validation.verdict import MAX_EXACT_COPY_RATE

if TYPE_CHECKING:
    from synthohive_lib.validation.quality import TableQuality
    from synthohive_lib.validation.report import RelationQuality, Report

_MAX_PLOTS_PER_TABLE = 40
_MAX_PAIRS_SHOWN = 15

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;
background:#f6f7f9}
header{background:#1f2a44;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
main{padding:10px 28px 40px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:16px 0;padding:12px 18px}
h2{font-size:18px;margin:6px 0 10px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;margin:6px 0}
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
th{background:#f0f2f5;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:40px;font-weight:700}
.kpis{display:flex;gap:36px;flex-wrap:wrap;align-items:flex-end}
.kpi small{display:block;color:#c9d1e0}
.grid{display:flex;flex-wrap:wrap;gap:10px}
.plot{background:#fff;border:1px solid #eee}
.plot .t{font-size:12px;font-weight:600;fill:#222}.plot .a{font-size:9px;fill:#555}
.plot .g{stroke:#e4e4e4;stroke-width:1}
.bad{color:#c94040;font-weight:600}.na{color:#888}.ok{color:#2e7d4f;font-weight:600}
details summary{cursor:pointer;font-weight:600;margin:6px 0}
.verdict{padding:14px 28px;font-size:15px;border-bottom:1px solid #ccd}
.verdict h2{margin:0 0 6px;font-size:24px;letter-spacing:.02em}
.verdict.passed{background:#e3f4e9;color:#184d2e}.verdict.failed{background:#fbe4e4;color:#6d1414}
.verdict.ungated{background:#eef0f4;color:#333}.verdict ul{margin:6px 0 0 18px;padding:0}
.verdict .run{font-size:13px;color:#444;margin-top:6px}
.stale{background:#fff3cd;color:#5c4400;padding:10px 28px;font-weight:600}
.def{font-size:12px;color:#c9d1e0;max-width:420px}
.plot .x{font-size:10px;fill:#333}
"""


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return '<span class="na">n/a</span>'
    return f"{x:.{digits}f}"


def _synthetic_rows(t: TableQuality) -> str:
    """The synthetic row count, and the sample its figures were scored on when smaller (the
    rules, keys and copies still saw every row)."""
    if t.scored_rows is None:
        return str(t.n_synthetic)
    return (
        f'{t.n_synthetic}<br><span class="na" title="figures from a uniform sample; keys, '
        f'foreign keys, copies and leaks checked on every row">scored on {t.scored_rows}</span>'
    )


def _score_cells(score: float) -> str:
    return f'<td class="n">{_num(score)}</td><td>{score_bar(score)}</td>'


def render_html(report: Report) -> str:
    """The full HTML document for ``report``."""
    body = [_verdict(report), _header(report), "<main>", _overview(report)]
    body += [_relation_section(r) for r in sorted(report.relations, key=lambda r: _key(r.score))]
    body += [_table_section(t, _copy_limit(report, t.table)) for t in report.tables_worst_first()]
    body.append("</main>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _verdict(report: Report) -> str:
    """The banner: PASSED / FAILED, each failed gate with its number and threshold, failed
    and skipped tables, and the run the report belongs to."""
    v = report.verdict
    if v is None:
        return (
            '<div class="verdict ungated" id="verdict"><h2>NOT GATED</h2>No gates were '
            f"evaluated for this report (created {escape(report.created_at)}).</div>"
        )
    state = "passed" if v.passed else "failed"
    items = [
        f'<li class="gate">{escape(g.gate)} on <b>{escape(g.table)}</b>: {escape(g.measure)} '
        f"<b>{_num(g.value, 4)}</b>, must be {escape(g.comparison)} {g.threshold:g}"
        f" — {escape(g.detail)}</li>"
        for g in v.failed_gates
    ]
    items += [
        f'<li class="table-failed"><b>{escape(s.table)}</b> failed at {escape(s.step or "?")}: '
        f"{escape(s.reason)}</li>"
        for s in v.failed_tables
    ]
    items += [
        f'<li class="table-skipped"><b>{escape(s.table)}</b> skipped: {escape(s.reason)}</li>'
        for s in v.skipped_tables
    ]
    summary = (
        f"{len(v.gates)} gates passed on {len({g.table for g in v.gates})} tables."
        if v.passed
        else f"<ul>{''.join(items)}</ul>"
    )
    return (
        f'<div class="verdict {state}" id="verdict"><h2>{state.upper()}</h2>{summary}'
        f'<div class="run">run <b id="run-id">{escape(v.run_id or "-")}</b> · judged '
        f"{escape(v.judged_at)}</div></div>"
    )


def _header(report: Report) -> str:
    worst = report.worst_table
    worst_txt = (
        f'<a href="#t-{escape(worst.table)}" style="color:#fff">{escape(worst.table)}</a> '
        f"{_num(worst.score)}"
        if worst
        else "-"
    )
    hold = (
        f"{report.holdout_fraction:.0%} of each table's rows" if report.holdout_fraction else "none"
    )
    return (
        f'<header><h1>{escape(report.title)}</h1><div class="kpis">'
        f'<div class="kpi"><small>fidelity score</small><span class="big" id="overall-score">'
        f'{_num(report.score)}</span><div class="def" id="score-definition">'
        f"{escape(report.SCORE_DEFINITION)}</div></div>"
        f'<div class="kpi"><small>worst table</small><span class="big" id="worst-table">'
        f"{worst_txt}</span></div>"
        f'<div class="kpi"><small>validity (keys, bounds, categories)</small>'
        f'<span class="big">{_num(report.validity_score)}</span></div>'
        f'<div class="kpi"><small>tables / relations</small><span class="big">'
        f"{len(report.tables)} / {len(report.relations)}</span></div>"
        f'<div class="kpi"><small>holdout (never trained on)</small>{escape(hold)}</div>'
        f'<div class="kpi"><small>created</small>{escape(report.created_at)}</div>'
        "</div></header>"
    )


def _overview(report: Report) -> str:
    rows = []
    for t in report.tables_worst_first():
        worst = next(iter(t.column_scores().items()), None)
        worst_txt = f"{escape(worst[0])} ({_num(worst[1])})" if worst else "-"
        ceiling = t.ceiling["score"] if t.ceiling else None
        disc = t.discriminator.auc if t.discriminator else None
        copies = (
            f"{_num(t.privacy.exact_copy_rate)} / {_num(t.privacy.natural_copy_rate)}"
            if t.privacy
            else '<span class="na">n/a</span>'
        )
        rows.append(
            f'<tr><td><a href="#t-{escape(t.table)}">{escape(t.table)}</a></td>'
            f'{_score_cells(t.score)}<td class="n">{_num(ceiling)}</td>'
            f'<td class="n">{_num(t.column_shapes_score)}</td>'
            f'<td class="n">{_num(t.pair_trends_score)}</td>'
            f'<td class="n">{_num(disc)}</td><td class="n">{copies}</td>'
            f'<td class="n">{_num(t.validity_score)}</td>'
            f'<td class="n">{t.n_real}</td><td class="n">{_synthetic_rows(t)}</td>'
            f"<td>{worst_txt}</td></tr>"
        )
    if report.verdict is not None:
        rows += [
            f'<tr class="{s.state.value}"><td class="bad">{escape(s.table)}</td>'
            f'<td colspan="11" class="bad">{s.state.value.upper()}'
            f"{' at ' + escape(s.step) if s.step else ''}: {escape(s.reason)}</td></tr>"
            for s in report.verdict.tables.values()
        ]
    rel_rows = [
        f"<tr><td>{escape(r.relation.name)}</td>{_score_cells(r.score)}"
        f'<td class="n{_bad(r.integrity.score < 1)}">{_num(r.integrity.score)}</td>'
        f'<td class="n{_bad(r.integrity.orphan_rows > 0)}">{r.integrity.orphan_rows}</td>'
        f'<td class="n">{_num(r.cardinality.score)}</td>'
        f'<td class="n">{_num(r.intertable_score)}</td>'
        "</tr>"
        for r in sorted(report.relations, key=lambda r: _key(r.score))
    ]
    out = [
        "<section><h2>Tables, worst first</h2><table><tr><th>table</th><th colspan=2>score</th>"
        '<th title="the holdout scored against the training rows: the achievable maximum">'
        "holdout ceiling</th><th>column shapes</th><th>pair trends</th>"
        '<th title="ROC AUC of a classifier telling real from synthetic rows; 0.5 is ideal">'
        "discriminator AUC</th>"
        '<th title="share of synthetic rows equal to a real row on every non-key column, and '
        'the share of real rows equal to another real row (the baseline)">exact copies / '
        "natural</th><th>validity</th><th>real rows</th>"
        "<th>synthetic rows</th><th>worst column</th></tr>",
        *rows,
        "</table>",
    ]
    if rel_rows:
        out += [
            "<h2>Relations, worst first</h2><table><tr><th>relation</th><th colspan=2>score</th>"
            "<th>referential integrity</th><th>orphans</th><th>children per parent</th>"
            "<th>intertable trends</th></tr>",
            *rel_rows,
            "</table>",
        ]
    out.append(_leak_scan(report))
    out.append("</section>")
    return "".join(out)


def _leak_scan(report: Report) -> str:
    """The PII leak scan: leaks (what the no_pii_leak gates fail on) in red, coincidences
    (values shared with a different kind of column) listed plainly."""
    scan = report.pii_leak_scan
    if scan is None:
        return ""
    head = (
        f"<h2>PII leak scan</h2><p>{int(scan['real_values'])} real PII values looked up in "
        f"{int(scan['columns_scanned'])} synthetic columns, replaced PII columns included; "
        "each table against the real PII of itself and its parents, as its no_pii_leak gate"
    )
    kept = scan.get("kept_columns") or []
    if kept:
        head += f" (kept PII, not scanned: {escape(', '.join(kept))})"
    if scan["ok"]:
        head += ': <b class="ok" id="pii-leaks">no real PII value leaked</b>.</p>'
    else:
        head += ': <b class="bad" id="pii-leaks">real PII values leaked</b>.</p>'
        head += _hits_table(scan["leaks"], "bad")
    hits = scan.get("coincidences") or []
    if hits:
        head += (
            f'<details id="pii-coincidences"><summary>{len(hits)} coincidences: values shared '
            "with a different kind of column, not leaks</summary>"
            + _hits_table(hits, "")
            + "</details>"
        )
    return head


def _hits_table(hits: list, css: str) -> str:
    rows = "".join(
        f'<tr><td class="{css}">{escape(h["table"])}.{escape(h["column"])}</td>'
        f'<td class="n">{int(h["rows"])}</td><td class="n">{int(h["values"])}</td>'
        f"<td>{escape(', '.join(h['sources']))}</td><td>{escape(h['example'])}</td></tr>"
        for h in hits
    )
    return (
        "<table><tr><th>synthetic column</th><th>rows</th><th>distinct values</th>"
        f"<th>real source</th><th>example (masked)</th></tr>{rows}</table>"
    )


def _table_section(t: TableQuality, copy_limit: float) -> str:
    ceiling = f" (holdout ceiling {_num(t.ceiling['score'])})" if t.ceiling else ""
    disc = ""
    if t.discriminator is not None:
        d = t.discriminator
        disc = (
            f"<p>Discriminator: a classifier telling real from synthetic rows reaches ROC AUC "
            f"<b>{_num(d.auc)}</b> (0.5: indistinguishable, 1.0: every synthetic row gives "
            f"itself away); similarity <b>{_num(d.similarity)}</b> on {d.columns} columns, "
            f"{d.rows_per_side} rows per side.</p>"
        )
    out = [
        f'<section id="t-{escape(t.table)}"><h2>Table {escape(t.table)} — score '
        f"{_num(t.score)}{ceiling}</h2>",
        disc,
    ]
    out.append(_binned_summary(t))
    out.append(_columns_table(t))
    out.append('<h3>Distributions, worst columns first</h3><div class="grid">')
    for name in list(t.column_scores())[:_MAX_PLOTS_PER_TABLE]:
        d = t.distributions.get(name)
        if d is None:
            continue
        score = next(c.score for c in t.column_shapes if c.column == name)
        out.append(
            grouped_bars(
                d.labels,
                d.real,
                d.synthetic,
                title=f"{name} ({score:.3f})",
                histogram=d.ordered,
                x_title=name,
            )
        )
    out.append("</div>")
    out.append(_correlations(t))
    out.append(_pairs_table(t.pair_trends, "Column pairs, worst first"))
    out.append(_privacy_utility(t, copy_limit))
    out.append("</section>")
    return "".join(out)


def _binned_summary(t: TableQuality) -> str:
    b = t.binned
    hold = b.univariate_holdout is not None
    head = "<th>binned accuracy</th><th>synthetic</th>" + (
        "<th>holdout ceiling</th>" if hold else ""
    )
    rows = []
    for label, s, h in (
        ("univariate", b.univariate, b.univariate_holdout),
        ("bivariate", b.bivariate, b.bivariate_holdout),
    ):
        rows.append(
            f'<tr><td>{label}</td><td class="n">{_num(s)}</td>'
            + (f'<td class="n">{_num(h)}</td>' if hold else "")
            + "</tr>"
        )
    pk = ""
    if t.primary_key is not None:
        pk = (
            f"<p>Primary key uniqueness: <b>{_num(t.primary_key.score)}</b> "
            f"({t.primary_key.duplicate_rows} duplicate, {t.primary_key.null_rows} null)</p>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{pk}"


def _columns_table(t: TableQuality) -> str:
    rows = []
    for name, score in t.column_scores().items():
        c = next(c for c in t.column_shapes if c.column == name)
        adh = t.adherence.get(name)
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{c.kind}</td><td>{c.metric}</td>"
            f'{_score_cells(score)}<td class="n">{_num(c.values_score)}</td>'
            f'<td class="n">{_num(c.missing_similarity)}</td>'
            f'<td class="n">{_num(adh[1]) if adh else "-"}</td>'
            f'<td class="n">{_num(t.binned.per_column.get(name))}</td>'
            f'<td class="n">{_num(t.binned.per_column_holdout.get(name))}</td>'
            f'<td class="n">{_num((t.ceiling or {}).get(f"column:{name}"))}</td></tr>'
        )
    skipped = [c for c, k in t.kinds.items() if k in ("id", "text")]
    note = (
        f'<p class="na">Not scored as distributions (keys, free text): '
        f"{escape(', '.join(skipped))}</p>"
        if skipped
        else ""
    )
    if t.not_scored:
        by_action: dict[str, list[str]] = {}
        for column, action in t.not_scored.items():
            by_action.setdefault(action, []).append(column)
        note += "".join(
            f'<p class="na not-scored">Not scored: {escape(not_scored_reason(action))}: '
            f"{escape(', '.join(columns))}</p>"
            for action, columns in by_action.items()
        )
    return (
        "<h3>Columns, worst first</h3><table><tr><th>column</th><th>kind</th><th>metric</th>"
        "<th colspan=2>score (nulls included)</th><th>non-null values</th>"
        "<th>missing similarity</th><th>adherence</th><th>binned acc.</th>"
        "<th>holdout binned acc.</th><th>holdout ceiling</th></tr>"
        + "".join(rows)
        + "</table>"
        + note
    )


def _correlations(t: TableQuality) -> str:
    cols = t.correlations.get("columns", [])
    if len(cols) < 2:
        return ""
    return (
        '<h3>Correlations (numeric columns)</h3><div class="grid">'
        + heatmap(cols, t.correlations["real"], title="real (Pearson)")
        + heatmap(cols, t.correlations["synthetic"], title="synthetic (Pearson)")
        + heatmap(
            cols,
            t.correlations["difference"],
            title="|real − synthetic|",
            vmin=0.0,
            vmax=1.0,
            sequential=True,
        )
        + "</div>"
    )


def _pairs_table(trends: list, title: str) -> str:
    if not trends:
        return ""
    worst = sorted(trends, key=lambda p: _key(p.score))[:_MAX_PAIRS_SHOWN]
    rows = "".join(
        f"<tr><td>{escape(p.column_a)}</td><td>{escape(p.column_b)}</td><td>{p.metric}</td>"
        f'{_score_cells(p.score)}<td class="n">{_num(p.real_correlation)}</td>'
        f'<td class="n">{_num(p.synthetic_correlation)}</td></tr>'
        for p in worst
    )
    return (
        f"<details><summary>{escape(title)} ({len(trends)} pairs, {len(worst)} shown)"
        "</summary><table><tr><th>column a</th><th>column b</th><th>metric</th>"
        "<th colspan=2>score</th><th>real corr.</th><th>synthetic corr.</th></tr>"
        f"{rows}</table></details>"
    )


def _privacy_utility(t: TableQuality, copy_limit: float) -> str:
    out = []
    p = t.privacy
    if p is not None:
        tests = "".join(
            f'<tr class="privacy-test"><td>{escape(x.name)}</td>'
            f'<td class="{_verdict_css(x.passed)}">{_verdict_word(x.passed)}</td>'
            f'<td class="n">{_num(x.value)}</td><td>{escape(x.threshold)}</td>'
            f"<td>{escape(x.detail)}</td></tr>"
            for x in privacy_tests(p, copy_limit)
        )
        out.append(
            "<h3>Privacy</h3><table><tr><th>test</th><th>verdict</th><th>value</th>"
            f"<th>passes when</th><th>what it measures</th></tr>{tests}</table>"
            "<table><tr><th>measure</th><th>synthetic</th><th>holdout</th></tr>"
            f"<tr><td>exact copies of training rows (natural copy rate "
            f'{_num(p.natural_copy_rate)})</td><td class="n">{_num(p.exact_copy_rate)}'
            f'</td><td class="n">{_num(p.holdout_exact_copy_rate)}</td></tr>'
            f'<tr><td>DCR median</td><td class="n">{_num(p.dcr_synthetic_median)}</td>'
            f'<td class="n">{_num(p.dcr_holdout_median)}</td></tr>'
            f'<tr><td>DCR 5th percentile</td><td class="n">{_num(p.dcr_synthetic_p05)}</td>'
            f'<td class="n">{_num(p.dcr_holdout_p05)}</td></tr>'
            f'<tr><td>NNDR 5th percentile</td><td class="n">{_num(p.nndr_synthetic_p05)}</td>'
            f'<td class="n">{_num(p.nndr_holdout_p05)}</td></tr>'
            f"<tr><td>DCR share (closer to training than holdout; ≈0.5 is ideal)</td>"
            f'<td class="n">{_num(p.dcr_share)}</td><td></td></tr></table>'
        )
    u = t.utility
    if u is not None:
        where = " holdout" if u.tested_on_holdout else ""
        out.append(
            f"<h3>Utility (train on synthetic, test on real{where})"
            f"</h3><p>Target <b>{escape(u.target)}</b> ({u.task}, {u.metric}): synthetic "
            f"{_num(u.synthetic_score)} vs real {_num(u.real_score)} → ratio {_num(u.ratio)}</p>"
        )
    return "".join(out)


def _verdict_css(passed: bool | None) -> str:
    return "na" if passed is None else "ok" if passed else "bad"


def _verdict_word(passed: bool | None) -> str:
    return "n/a" if passed is None else "pass" if passed else "FAIL"


def _relation_section(r: RelationQuality) -> str:
    h = r.histogram
    ri = r.integrity
    return (
        f"<section><h2>Relation {escape(r.relation.name)} — score {_num(r.score)}</h2>"
        f"<p>Referential integrity <b>{_num(ri.score)}</b>: {ri.orphan_rows} orphan rows of "
        f"{ri.checked_rows} checked ({ri.null_fk_rows} null keys). Children per parent "
        f"similarity <b>{_num(r.cardinality.score)}</b>; intertable trends "
        f"<b>{_num(r.intertable_score)}</b>.</p>"
        + grouped_bars(
            h["labels"],
            h["real"],
            h["synthetic"],
            title=f"children per {r.relation.parent} row",
            histogram=True,
            x_title=f"{r.relation.child} rows per {r.relation.parent} row",
        )
        + _pairs_table(r.trends, "Parent × child column pairs, worst first")
        + "</section>"
    )


def _bad(flag: bool) -> str:
    return " bad" if flag else ""


def _key(score: float) -> tuple[int, float]:
    return (0, 0.0) if math.isnan(score) else (1, score)


def _copy_limit(report: Report, table: str) -> float:
    """The privacy gate's limit of ``table`` as the verdict judged it (default without)."""
    if report.verdict is not None:
        for g in report.verdict.gates:
            if g.table == table and g.gate == "privacy_gate" and g.threshold is not None:
                return g.threshold
    return MAX_EXACT_COPY_RATE
