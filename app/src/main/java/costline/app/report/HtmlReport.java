package costline.app.report;

import static costline.app.report.Html.esc;

import costline.app.view.DriftFormat;
import costline.events.BreakEvenRecommendation;
import costline.events.DriftSignal;
import costline.events.MonthlyRollup;
import costline.events.RollupStatus;
import costline.events.SpendAlert;
import costline.pricing.CostModel;
import costline.schemas.Topics;
import java.awt.Color;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The monthly report as one self-contained HTML file: inline CSS and inline SVG charts, no script, no font, image or
 * style sheet from anywhere else, so it opens offline and prints to PDF as it shows. Every name is escaped
 * ({@link Html#esc}); every headline figure says which topic and records it is summed from.
 */
public final class HtmlReport {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final int WIDE = 1100;

    private HtmlReport() {
    }

    public static String render(MonthData data, Instant generatedAt, String source) {
        List<MonthlyRollup> rows = data.rollups().stream().map(MonthData.Sourced::value).toList();
        ZoneId zone = rows.isEmpty() ? ZoneOffset.UTC : ZoneId.of(rows.get(0).getZone());
        MonthTotals totals = MonthTotals.of(rows);
        MonthTotals before = data.previous().isEmpty() ? null : MonthTotals.of(data.previous());
        long open = rows.stream().filter(r -> r.getStatus() == RollupStatus.MONTH_TO_DATE).count();
        long corrected = rows.stream().filter(r -> r.getStatus() == RollupStatus.CORRECTION).count();
        String month = data.month().toString();

        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                // No network: forbid every fetch outright, so a future edit that adds one fails loudly in the test.
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>costline GPU cost report ").append(esc(month)).append("</title><style>").append(CSS).append("</style></head><body>\n");
        h.append("<header><h1>GPU cost report, ").append(esc(month)).append("</h1><p class=\"meta\">")
                .append(rows.isEmpty() ? "no rollup of the month yet"
                        : open > 0 ? "month to date: " + open + " of " + rows.size() + " rows still open"
                        : "FINAL: every row closed" + (corrected > 0 ? ", " + corrected + " corrected after FINAL" : ""))
                .append(" &middot; zone ").append(esc(zone.toString()))
                .append(" &middot; generated ").append(TIME.format(generatedAt)).append(" UTC from ").append(esc(source))
                .append("</p></header>\n");

        if (data.empty()) {
            h.append("<p class=\"empty\" data-empty=\"month\">No data for ").append(esc(month)).append(": ")
                    .append(Topics.GPU_ROLLUP_MONTHLY).append(" has no row of the month and ").append(Topics.GPU_COST)
                    .append(" no cost increment in it. Is the month right, and is the pipeline writing to this cluster?</p>\n");
        }
        totals(h, totals, before, data.month().minusMonths(1).toString());
        if (corrected > 0) {
            h.append("<p class=\"note\">Corrections: ").append(corrected).append(" row(s) received data after the month's FINAL record; ")
                    .append("the figures include them (latest revision per key, marked CORRECTION in the table).</p>\n");
        }

        section(h, "daily", "Daily cost per workload");
        if (data.dailyCost().isEmpty()) {
            none(h, "No cost increment of " + month + " on " + Topics.GPU_COST + ".");
        } else {
            figure(h, "daily-cost", ReportCharts.dailyCost(data.month(), data.dailyCost()), WIDE, 440,
                    "Sum of " + Topics.GPU_COST + " increments per workload and day (" + data.costIncrements() + " records).");
        }
        h.append("</section>\n");

        section(h, "crossing", "Cloud month-to-date against the on-prem line");
        List<String> scopes = new ArrayList<>(data.alerts().keySet());
        scopes.sort(Comparator.comparing((String s) -> !s.equals(Topics.FLEET)).thenComparing(s -> s));
        if (scopes.isEmpty()) {
            none(h, "No spend alert of " + month + " on " + Topics.GPU_ALERTS
                    + ": no scope's cloud spend crossed, or was projected to cross, its on-prem line.");
        }
        for (String scope : scopes) {
            List<SpendAlert> alerts = data.alerts().get(scope);
            SpendAlert last = alerts.get(alerts.size() - 1);
            figure(h, "crossing-" + scopes.indexOf(scope), ReportCharts.cloudVsLine(scope, data.month(), zone,
                            data.dailyCloud().getOrDefault(scope, new TreeMap<>()), alerts), WIDE, 320,
                    "Cloud spend per day from " + Topics.GPU_COST + " (" + (scope.equals(Topics.FLEET) ? "all workloads" : "key " + scope)
                            + "); the line and the transitions (" + String.join(", ", alerts.stream().map(a -> a.getState() + " " + TIME.format(a.getAt())).toList())
                            + ") from " + Topics.GPU_ALERTS + " key " + scope + ". Latest: cloud MTD " + usd(last.getCloudMtdMicroUsd())
                            + ", line " + usd(last.getOnpremLineMicroUsd()) + ".");
        }
        List<String> quiet = data.dailyCloud().keySet().stream().filter(s -> !data.alerts().containsKey(s)).toList();
        if (!quiet.isEmpty()) {
            h.append("<p class=\"note\">Cloud spend without an alert this month (stayed under its line, or no on-prem equivalent is priced): ")
                    .append(esc(String.join(", ", quiet))).append(".</p>\n");
        }
        h.append("</section>\n");

        section(h, "idle", "Idle share and GPU-hours");
        if (rows.isEmpty()) {
            none(h, "No rollup of " + month + ".");
        } else {
            h.append("<div class=\"pair\">");
            figure(h, "idle-share", ReportCharts.idleShare(rows), 540, 360, "idle_micro_usd / cost_micro_usd per workload, from " + Topics.GPU_ROLLUP_MONTHLY + ".");
            figure(h, "gpu-hours", ReportCharts.gpuHours(rows), 540, 360, "gpu_ms per site and GPU model, from " + Topics.GPU_ROLLUP_MONTHLY + ".");
            h.append("</div>");
        }
        h.append("</section>\n");

        section(h, "breakeven", "Own or rent: break-even per scope");
        recommendations(h, data.recommendations());
        h.append("</section>\n");

        section(h, "drift", "Drift events");
        drift(h, data, zone);
        h.append("</section>\n");

        section(h, "rollups", "Monthly rollup (the finance CSV's rows)");
        rollupTable(h, data, totals, open);
        h.append("</section>\n");

        sources(h, data);
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void totals(StringBuilder h, MonthTotals t, MonthTotals before, String previousMonth) {
        h.append("<section id=\"totals\"><div class=\"tiles\">");
        tile(h, "total_usd", "total cost", usd(t.totalMicroUsd()), change(t.totalMicroUsd(), before == null ? null : before.totalMicroUsd(), previousMonth));
        tile(h, "cloud_usd", "cloud", usd(t.cloudMicroUsd()), change(t.cloudMicroUsd(), before == null ? null : before.cloudMicroUsd(), previousMonth));
        tile(h, "onprem_usd", "on-prem", usd(t.onPremMicroUsd()), change(t.onPremMicroUsd(), before == null ? null : before.onPremMicroUsd(), previousMonth));
        if (t.hasUnobserved() || (before != null && before.hasUnobserved())) {
            tile(h, "unobserved_usd", "unobserved (owned, not sampled)", usd(t.unobservedMicroUsd()),
                    change(t.unobservedMicroUsd(), before == null ? null : before.unobservedMicroUsd(), previousMonth));
        }
        String idleShare = t.totalMicroUsd() == 0 ? "" : String.format(Locale.US, " (%.1f %% of cost)", 100.0 * t.idleMicroUsd() / t.totalMicroUsd());
        tile(h, "idle_usd", "idle" + idleShare, usd(t.idleMicroUsd()), change(t.idleMicroUsd(), before == null ? null : before.idleMicroUsd(), previousMonth));
        tile(h, "gpu_hours", "GPU-hours", hours(t.gpuMs(), 1), change(t.gpuMs(), before == null ? null : before.gpuMs(), previousMonth));
        Double util = t.avgUtilPct();
        Double utilBefore = before == null ? null : before.avgUtilPct();
        tile(h, "avg_util_pct", "average utilization", util == null ? "n/a" : String.format(Locale.US, "%.1f %%", util),
                util == null || utilBefore == null ? "" : String.format(Locale.US, "%+.1f points vs %s", util - utilBefore, previousMonth));
        h.append("</div><p class=\"source\">Summed exactly over the rows of the table below (the latest record per key of ")
                .append(Topics.GPU_ROLLUP_MONTHLY).append("), rounded once to the cent.")
                .append(before == null ? " No rollup of " + esc(previousMonth) + " to compare with." : "")
                .append("</p></section>\n");
    }

    private static void tile(StringBuilder h, String id, String label, String value, String change) {
        h.append("<div class=\"tile\"><div class=\"label\">").append(esc(label)).append("</div><div class=\"value\" data-figure=\"")
                .append(id).append("\">").append(esc(value)).append("</div><div class=\"change\">").append(esc(change)).append("</div></div>");
    }

    private static String change(long now, Long before, String previousMonth) {
        if (before == null) {
            return "";
        }
        if (before == 0) {
            return now == 0 ? "unchanged vs " + previousMonth : "new since " + previousMonth;
        }
        return String.format(Locale.US, "%+.1f %% vs %s", 100.0 * (now - before) / before, previousMonth);
    }

    private static void recommendations(StringBuilder h, List<MonthData.Sourced<BreakEvenRecommendation>> recs) {
        if (recs.isEmpty()) {
            none(h, "No recommendation on " + Topics.GPU_BREAKEVEN + " yet.");
            return;
        }
        List<MonthData.Sourced<BreakEvenRecommendation>> sorted = new ArrayList<>(recs);
        sorted.sort(Comparator.comparing((MonthData.Sourced<BreakEvenRecommendation> s) -> !s.value().getScope().equals(Topics.FLEET))
                .thenComparing(s -> s.value().getScope()).thenComparing(s -> s.value().getGpuModel()));
        h.append("<table class=\"data\"><thead><tr><th>scope</th><th>GPU model</th><th>recommendation</th><th>own N*</th><th>peak</th>")
                .append("<th>mean GPUs</th><th>break-even</th><th>savings / year</th><th>demand window</th><th>source</th></tr></thead><tbody>");
        for (MonthData.Sourced<BreakEvenRecommendation> s : sorted) {
            BreakEvenRecommendation r = s.value();
            h.append("<tr><td>").append(esc(r.getScope())).append("</td><td class=\"k\">").append(esc(r.getGpuModel())).append("</td><td class=\"k\">")
                    .append(r.getRecommendation()).append("</td><td class=\"n\">").append(r.getOptimalOwnedGpus()).append("</td><td class=\"n\">")
                    .append(r.getPeakGpus()).append("</td><td class=\"n\">").append(String.format(Locale.US, "%.2f", r.getMeanGpus()))
                    .append("</td><td class=\"n\">").append(r.getBreakEvenMonths() == null ? "never" : String.format(Locale.US, "%.1f months", r.getBreakEvenMonths()))
                    .append("</td><td class=\"n\">").append(usd(r.getYearlySavingsMicroUsd())).append("</td><td>")
                    .append(TIME.format(r.getWindowStart())).append(" &ndash; ").append(TIME.format(r.getWindowEnd())).append("</td><td class=\"src\">")
                    .append(origin(s.topic(), s.partition(), s.offset(), s.key())).append("</td></tr>");
        }
        h.append("</tbody></table>\n");
        int i = 0;
        for (MonthData.Sourced<BreakEvenRecommendation> s : sorted) {
            Optional<ReportCharts.Chart> chart = ReportCharts.breakEven(s.value());
            if (chart.isPresent()) {
                figure(h, "breakeven-" + i++, chart.get(), WIDE, 420, "Cumulative cash of cloud only, buying the peak and hybrid N*, "
                        + "recomputed by the what-if calculator from the published load-duration curve and the catalog's on-prem price.");
            }
        }
    }

    private static void drift(StringBuilder h, MonthData data, ZoneId zone) {
        if (data.drift().isEmpty()) {
            none(h, "No drift signal detected in " + data.month() + " on " + Topics.GPU_DRIFT + ".");
            return;
        }
        figure(h, "drift", ReportCharts.driftTimeline(data.month(), zone, data.drift()), WIDE,
                Math.max(220, 90 + 28 * (int) data.drift().stream().map(ReportCharts::driftRow).distinct().count()),
                "Each mark is one " + Topics.GPU_DRIFT + " signal (key: entity) at its detection time.");
        h.append("<table class=\"data\"><thead><tr><th>detected</th><th>started</th><th>severity</th><th>entity</th><th>metric</th>")
                .append("<th>baseline &rarr; current (change)</th><th>idle cost</th></tr></thead><tbody>");
        for (DriftSignal d : data.drift()) {
            h.append("<tr><td>").append(TIME.format(d.getDetectedAt())).append("</td><td>").append(TIME.format(d.getStartedAt()))
                    .append("</td><td class=\"k\">").append(d.getSeverity()).append("</td><td>").append(esc(d.getEntity())).append(" <span class=\"dim\">")
                    .append(d.getEntityType()).append("</span></td><td class=\"k\">").append(d.getMetric()).append("</td><td class=\"k\">")
                    .append(esc(DriftFormat.change(d))).append("</td><td class=\"n\">").append(esc(DriftFormat.wasted(d))).append("</td></tr>");
        }
        h.append("</tbody></table>\n");
    }

    private static void rollupTable(StringBuilder h, MonthData data, MonthTotals totals, long open) {
        if (data.rollups().isEmpty()) {
            none(h, "No row of " + data.month() + " on " + Topics.GPU_ROLLUP_MONTHLY + ".");
            return;
        }
        h.append("<table class=\"data rollup\"><thead><tr><th>workload</th><th>team</th><th>site</th><th>GPU model</th><th>status</th>")
                .append("<th>GPU-hours</th><th>busy GPU-hours</th><th>avg util</th><th>cost</th><th>idle</th><th>energy kWh</th>")
                .append("<th>source</th></tr></thead><tbody>");
        for (MonthData.Sourced<MonthlyRollup> s : data.rollups().stream()
                .sorted(Comparator.comparing((MonthData.Sourced<MonthlyRollup> x) -> x.value().getWorkload())
                        .thenComparing(x -> x.value().getSite().name()).thenComparing(x -> x.value().getGpuModel())).toList()) {
            MonthlyRollup r = s.value();
            String status = r.getStatus() == RollupStatus.CORRECTION ? "CORRECTION " + r.getRevision() : r.getStatus().name();
            h.append("<tr class=\"").append(r.getStatus().name().toLowerCase(Locale.ROOT)).append("\"><td>").append(esc(r.getWorkload()))
                    .append("</td><td class=\"k\">").append(esc(r.getTeam())).append("</td><td class=\"k\">").append(r.getSite()).append("</td><td class=\"k\">")
                    .append(esc(r.getGpuModel())).append("</td><td class=\"k\">").append(status).append("</td><td class=\"n\">").append(hours(r.getGpuMs(), 2))
                    .append("</td><td class=\"n\">").append(hours(r.getBusyGpuMs(), 2)).append("</td><td class=\"n\">").append(util(r.getBusyGpuMs(), r.getGpuMs()))
                    .append("</td><td class=\"n\" data-cost>").append(usd(r.getCostMicroUsd())).append("</td><td class=\"n\">").append(usd(r.getIdleMicroUsd()))
                    .append("</td><td class=\"n\">").append(BigDecimal.valueOf(r.getEnergyMj()).divide(BigDecimal.valueOf(CostModel.MJ_PER_KWH), 3, RoundingMode.HALF_EVEN).toPlainString())
                    .append("</td><td class=\"src\">").append(origin(s.topic(), s.partition(), s.offset(), s.key())).append("</td></tr>");
        }
        long energy = data.rollups().stream().mapToLong(s -> s.value().getEnergyMj()).sum();
        h.append("</tbody><tfoot><tr><td>TOTAL</td><td></td><td></td><td></td><td>").append(open > 0 ? "MONTH_TO_DATE" : "FINAL")
                .append("</td><td class=\"n\">").append(hours(totals.gpuMs(), 2)).append("</td><td class=\"n\">").append(hours(totals.busyGpuMs(), 2))
                .append("</td><td class=\"n\">").append(util(totals.busyGpuMs(), totals.gpuMs())).append("</td><td class=\"n\" data-figure=\"table_total_usd\">")
                .append(usd(totals.totalMicroUsd())).append("</td><td class=\"n\">").append(usd(totals.idleMicroUsd())).append("</td><td class=\"n\">")
                .append(BigDecimal.valueOf(energy).divide(BigDecimal.valueOf(CostModel.MJ_PER_KWH), 3, RoundingMode.HALF_EVEN).toPlainString())
                .append("</td><td></td></tr></tfoot></table>\n");
    }

    private static void sources(StringBuilder h, MonthData data) {
        h.append("<section id=\"sources\"><h2>Where the figures come from</h2><ul class=\"sources\">")
                .append("<li>Totals, idle share, GPU-hours and the table: ").append(Topics.GPU_ROLLUP_MONTHLY)
                .append(" (compacted; key month|workload|site|GPU model), the latest record per key: FINAL once the month has closed ")
                .append("plus its grace, CORRECTION n for data later than that, MONTH_TO_DATE while open. Each row names its partition@offset. ")
                .append("Money is summed in whole micro-dollars and rounded half-even to the cent once; the CSV (")
                .append("<code>costline report monthly</code>) has the same rows.</li>")
                .append("<li>Daily cost and cloud month-to-date: ").append(Topics.GPU_COST).append(" (key workload), additive increments per minute summed by day (")
                .append(data.costIncrements()).append(" records of the month).</li>")
                .append("<li>On-prem line and crossings: ").append(Topics.GPU_ALERTS).append(" (key workload or *fleet*), the month's transitions.</li>")
                .append("<li>Recommendations: ").append(Topics.GPU_BREAKEVEN).append(" (compacted; key scope|GPU model), the latest per key; ")
                .append("their charts are the what-if command's (<code>costline breakeven</code>).</li>")
                .append("<li>Drift: ").append(Topics.GPU_DRIFT).append(" (key entity), signals detected in the month.</li>");
        if (data.undecodable() > 0) {
            h.append("<li class=\"warn\">").append(data.undecodable()).append(" record(s) could not be decoded and are not counted here.</li>");
        }
        h.append("</ul></section>\n");
    }

    private static void section(StringBuilder h, String id, String title) {
        h.append("<section id=\"").append(id).append("\"><h2>").append(esc(title)).append("</h2>\n");
    }

    private static void none(StringBuilder h, String text) {
        h.append("<p class=\"empty\">").append(esc(text)).append("</p>\n");
    }

    private static void figure(StringBuilder h, String id, ReportCharts.Chart chart, int width, int height, String caption) {
        h.append("<figure class=\"chart\" data-chart=\"").append(esc(id)).append("\">")
                .append(Svg.of(chart.chart(), "svg-" + id, width, height));
        if (!chart.legend().isEmpty()) {
            h.append("<ul class=\"legend\">");
            for (Map.Entry<String, Color> e : chart.legend().entrySet()) {
                Color c = e.getValue();
                h.append("<li><span class=\"swatch\" style=\"background:").append(String.format("#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue()))
                        .append("\"></span>").append(esc(e.getKey())).append("</li>");
            }
            h.append("</ul>");
        }
        h.append("<figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
    }

    private static String origin(String topic, int partition, long offset, String key) {
        return esc(topic) + " p" + partition + "@" + offset + "<br><span class=\"dim\">" + esc(key) + "</span>";
    }

    static String usd(long microUsd) {
        BigDecimal dollars = CostModel.toDollarsCents(microUsd);
        return (dollars.signum() < 0 ? "-$" : "$") + String.format(Locale.US, "%,.2f", dollars.abs());
    }

    private static String hours(long ms, int decimals) {
        return String.format(Locale.US, "%,." + decimals + "f", BigDecimal.valueOf(ms)
                .divide(BigDecimal.valueOf(CostModel.MS_PER_HOUR), decimals, RoundingMode.HALF_EVEN));
    }

    private static String util(long busy, long total) {
        return total == 0 ? "" : String.format(Locale.US, "%.1f %%", 100.0 * busy / total);
    }

    private static final String CSS = """
            :root{--ink:#1d2430;--dim:#5b6573;--line:#d9dde3;--bg:#f6f7f9}
            *{box-sizing:border-box}
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);max-width:1180px;margin:24px auto;padding:0 20px}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
            .meta,.source,figcaption,.dim{color:var(--dim)}.meta{margin:0 0 16px}
            .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
            .tile{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px 12px}
            .tile .label{font-size:12px;color:var(--dim)}.tile .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
            .tile .change{font-size:12px;color:var(--dim);min-height:1em}
            figure{margin:12px 0 18px}figure svg{width:100%;height:auto;display:block}
            figcaption{font-size:12px;margin-top:4px}
            .pair{display:grid;grid-template-columns:1fr 1fr;gap:16px}
            .legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px}
            .legend li{overflow-wrap:anywhere}.swatch{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;border-radius:2px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
            table.data{border-collapse:collapse;width:100%;font-size:12px;margin:8px 0}
            table.data th,table.data td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
            table.data th{background:var(--bg);white-space:nowrap}td.k{white-space:nowrap;overflow-wrap:normal}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            td.src{font-size:11px;color:var(--dim);min-width:150px}table.rollup td:first-child{min-width:90px}tfoot td{font-weight:600;border-top:2px solid var(--ink)}
            tr.correction td{background:#fff4d6}tr.month_to_date td{background:#eef4fb}
            .empty{padding:10px 12px;background:var(--bg);border-left:3px solid var(--line)}.note{font-size:13px}
            .warn{color:#a33}code{font-size:12px}
            @page{size:A4 landscape;margin:12mm}
            @media print{body{margin:0;max-width:none;font-size:11px}figure,tr,.tile{break-inside:avoid}h2{break-after:avoid}
            section#rollups,section#sources{break-before:page}.pair{grid-template-columns:1fr 1fr}}
            @media (max-width:800px){.pair{grid-template-columns:1fr}}
            """;
}
