#!/usr/bin/env python3
"""Writes grafana/dashboards/*.json. The JSON files are what Grafana loads and what the tests run; this script
keeps their datasource, units and layout consistent. Edit here, run `python3 generate_dashboards.py`, commit both."""
import json
import os

DS = {"type": "influxdb", "uid": "costline-influxdb"}
HERE = os.path.dirname(os.path.abspath(__file__))


def target(query, ref="A", fmt="time_series", alias=None):
    t = {"refId": ref, "datasource": DS, "rawQuery": True, "query": query, "resultFormat": fmt}
    if alias:
        t["alias"] = alias
    return t


class Board:
    def __init__(self, uid, title, time_from, description, tags):
        self.d = {
            "uid": uid, "title": title, "description": description, "tags": ["costline"] + tags,
            "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": False, "graphTooltip": 1,
            "refresh": "1m", "time": {"from": time_from, "to": "now"},
            "templating": {"list": []}, "annotations": {"list": []}, "panels": [], "links": [
                {"type": "dashboards", "tags": ["costline"], "asDropdown": True, "title": "costline"}],
        }
        self.x = 0
        self.y = 0
        self.row_h = 0

    def var(self, name, label, query):
        self.d["templating"]["list"].append({
            "name": name, "label": label, "type": "query", "datasource": DS, "query": query,
            "definition": query, "refresh": 2, "multi": True, "includeAll": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1})

    def annotation(self, name, query, text_column, tags_column, color):
        self.d["annotations"]["list"].append({
            "name": name, "datasource": DS, "enable": True, "iconColor": color, "query": query,
            "textColumn": text_column, "tagsColumn": tags_column})

    def panel(self, title, kind, targets, unit, w=12, h=8, description="", overrides=None, interval=None,
              time_from=None, options=None, custom=None, thresholds=None, decimals=None, transformations=None):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_h
            self.row_h = 0
        defaults = {"unit": unit}
        if decimals is not None:
            defaults["decimals"] = decimals
        if custom:
            defaults["custom"] = custom
        if thresholds:
            defaults["thresholds"] = {"mode": "absolute", "steps": thresholds}
        p = {
            "id": len(self.d["panels"]) + 1, "title": title, "type": kind, "description": description,
            "datasource": DS, "gridPos": {"x": self.x, "y": self.y, "w": w, "h": h}, "targets": targets,
            "fieldConfig": {"defaults": defaults, "overrides": [
                {"matcher": {"id": "byName", "options": col},
                 "properties": [{"id": "unit", "value": u}]} for col, u in (overrides or {}).items()]},
            "options": options or {},
        }
        if transformations:
            p["transformations"] = transformations
        if interval:
            p["interval"] = interval
        if time_from:
            p["timeFrom"] = time_from
        self.d["panels"].append(p)
        self.x += w
        self.row_h = max(self.row_h, h)

    def write(self, name):
        with open(os.path.join(HERE, "grafana", "dashboards", name), "w") as f:
            json.dump(self.d, f, indent=2)
            f.write("\n")


TS_OPTS = {"legend": {"displayMode": "table", "placement": "right", "calcs": ["mean", "max", "lastNotNull"]},
           "tooltip": {"mode": "multi", "sort": "desc"}}


def fleet():
    b = Board("costline-fleet", "costline / Fleet", "now-6h",
              "GPU telemetry per host and GPU as the collectors report it (gpu_sample), for SREs.", ["fleet"])
    b.var("site", "Site", 'SHOW TAG VALUES FROM "gpu_sample" WITH KEY = "site"')
    b.var("gpu_model", "GPU model", 'SHOW TAG VALUES FROM "gpu_sample" WITH KEY = "gpu_model" WHERE "site" =~ /^$site$/')
    b.var("host", "Host", 'SHOW TAG VALUES FROM "gpu_sample" WITH KEY = "host" '
                          'WHERE "site" =~ /^$site$/ AND "gpu_model" =~ /^$gpu_model$/')
    f = '"site" =~ /^$site$/ AND "host" =~ /^$host$/ AND "gpu_model" =~ /^$gpu_model$/ AND $timeFilter'

    def series(field, fn="mean"):
        return target(f'SELECT {fn}("{field}") FROM "gpu_sample" WHERE {f} '
                      'GROUP BY time($__interval), "host", "gpu_id" fill(null)', alias="$tag_host $tag_gpu_id")

    b.panel("Fleet mean GPU utilization", "stat", [target(f'SELECT mean("util_gpu") AS "util_gpu" FROM "gpu_sample" WHERE {f}')],
            "percent", w=6, h=4, decimals=1, description="Mean SM utilization over the range, all selected GPUs.")
    b.panel("Fleet power now", "stat", [target(
        'SELECT sum("power_w") AS "power_w" FROM (SELECT last("power_w") AS "power_w" FROM "gpu_sample" '
        f'WHERE {f} GROUP BY "gpu_id") WHERE $timeFilter')],
            "watt", w=6, h=4, description="Sum of each GPU's latest power reading (GPUs without a power reading are left out).")
    b.panel("GPUs reporting", "stat", [target(
        f'SELECT count("util_gpu") AS "gpus" FROM (SELECT last("util_gpu") AS "util_gpu" FROM "gpu_sample" '
        f'WHERE {f} GROUP BY "gpu_id") WHERE $timeFilter')],
            "suffix: GPUs", w=6, h=4, description="GPUs with at least one utilization reading in the range.")
    b.panel("Hottest GPU", "stat", [target(f'SELECT max("temp_c") AS "temp_c" FROM "gpu_sample" WHERE {f}')],
            "celsius", w=6, h=4, description="Highest core temperature in the range.",
            thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 80}, {"color": "red", "value": 87}])
    b.panel("GPU utilization by host and GPU", "timeseries", [series("util_gpu")], "percent", options=TS_OPTS,
            description="SM utilization, percent 0..100.")
    b.panel("Memory controller utilization", "timeseries", [series("util_mem")], "percent", options=TS_OPTS)
    b.panel("Device memory used", "timeseries", [series("mem_used_bytes", "max")], "bytes", options=TS_OPTS)
    b.panel("Power draw", "timeseries", [series("power_w")], "watt", options=TS_OPTS,
            description="Power at sample time, watts; CloudWatch GPUs without the power metric are absent.")
    b.panel("Temperature", "timeseries", [series("temp_c", "max")], "celsius", options=TS_OPTS)
    b.panel("SM clock", "timeseries", [series("sm_clock_mhz")], "suffix: MHz", options=TS_OPTS)
    b.panel("Collectors: samples in the last 5 minutes (0 = silent)", "table", [target(
        'SELECT last("per_minute") * 5 AS "samples_last_5m" FROM (SELECT moving_average(count("util_gpu"), 5) AS "per_minute" '
        'FROM "gpu_sample" WHERE "site" =~ /^$site$/ AND $timeFilter GROUP BY time(1m), "host", "source" fill(0)) '
        'WHERE $timeFilter GROUP BY "host", "source"', fmt="table")],
            "suffix: samples", w=24, h=8,
            description="Per host and collector: utilization readings in the 5 whole minutes before the end of the range. "
                        "0 means the collector went silent (the 'collector silent' alert fires on the same query). "
                        "The time column is the end of the last minute. Hosts silent for longer than the range drop out.",
            thresholds=[{"color": "red", "value": None}, {"color": "green", "value": 1}],
            custom={"cellOptions": {"type": "color-background"}})
    b.write("fleet.json")


def cost():
    b = Board("costline-cost", "costline / Cost", "now-6h",
              "Live cost per workload from gpu_cost (one point per workload, site, GPU model and minute; "
              "late increments are extra points: sums are exact).", ["cost"])
    b.var("site", "Site", 'SHOW TAG VALUES FROM "gpu_cost" WITH KEY = "site"')
    b.var("workload", "Workload", 'SHOW TAG VALUES FROM "gpu_cost" WITH KEY = "workload" WHERE "site" =~ /^$site$/')
    f = '"site" =~ /^$site$/ AND "workload" =~ /^$workload$/ AND $timeFilter'
    b.panel("Cost in range", "stat", [target(f'SELECT sum("cost_usd") AS "cost_usd" FROM "gpu_cost" WHERE {f}')],
            "currencyUSD", w=6, h=4, decimals=2)
    b.panel("Idle cost in range", "stat", [target(f'SELECT sum("idle_usd") AS "idle_usd" FROM "gpu_cost" WHERE {f}')],
            "currencyUSD", w=6, h=4, decimals=2, description="The part of the cost paid for GPUs while not busy.")
    b.panel("Idle share", "stat", [target(
        f'SELECT sum("idle_usd") / sum("cost_usd") * 100 AS "idle_share" FROM "gpu_cost" WHERE {f}')],
            "percent", w=6, h=4, decimals=1)
    b.panel("Unallocated cost in range", "stat", [target(
        'SELECT sum("cost_usd") AS "cost_usd" FROM "gpu_cost" WHERE "workload" = \'unallocated\' '
        'AND "site" =~ /^$site$/ AND $timeFilter')],
            "currencyUSD", w=6, h=4, decimals=2, description="GPU time no process held.")
    b.panel("Live cost rate per workload ($/h)", "timeseries", [target(
        f'SELECT sum("cost_usd") * 3600000 / $__interval_ms AS "usd_per_hour" FROM "gpu_cost" WHERE {f} '
        'GROUP BY time($__interval), "workload" fill(0)', alias="$tag_workload")],
            "currencyUSD", w=24, interval="1m", options=TS_OPTS,
            description="Dollars per hour: each interval's cost scaled to an hour.")
    b.panel("Cloud vs on-prem cost", "timeseries", [target(
        f'SELECT sum("cost_usd") AS "cost_usd" FROM "gpu_cost" WHERE {f} GROUP BY time($__interval), "site" fill(0)',
        alias="$tag_site")], "currencyUSD", interval="1m", options=TS_OPTS,
            custom={"stacking": {"mode": "normal"}, "drawStyle": "bars", "fillOpacity": 80})
    b.panel("Idle cost per workload", "timeseries", [target(
        f'SELECT sum("idle_usd") AS "idle_usd" FROM "gpu_cost" WHERE {f} GROUP BY time($__interval), "workload" fill(0)',
        alias="$tag_workload")], "currencyUSD", interval="1m", options=TS_OPTS)
    b.panel("Cost per workload in range", "table", [target(
        'SELECT sum("cost_usd") AS "cost_usd", sum("idle_usd") AS "idle_usd", sum("gpu_seconds") / 3600 AS "gpu_hours", '
        'sum("busy_gpu_seconds") / 3600 AS "busy_gpu_hours", sum("energy_kwh") AS "energy_kwh" '
        f'FROM "gpu_cost" WHERE {f} GROUP BY "workload", "team", "site", "gpu_model"', fmt="table")],
            "currencyUSD", w=24, overrides={"gpu_hours": "h", "busy_gpu_hours": "h", "energy_kwh": "kwatth"},
            description="Exact per-workload totals of the range (energy: on-prem metered, cloud 0).")
    b.panel("Price sources: versions per price key", "table", [target(
        'SELECT last("usd_per_gpu_hour") AS "usd_per_gpu_hour" FROM "gpu_price" WHERE time <= now() '
        'GROUP BY "price_key", "source", "pricing_model"', fmt="table")],
            "currencyUSD", w=24, h=8,
            description="Where each rate comes from: the latest version of every price key per source (catalog, "
                        "price-list, spot, savings-plans, bill), in $ per GPU-hour; the time column is when it took "
                        "effect. For a key, the row with the latest time is the rate in force (a pinned catalog entry "
                        "gets no price-list versions).")
    b.write("cost.json")


def finance():
    b = Board("costline-finance", "costline / Finance", "now-1y",
              "Monthly rollups (gpu_rollup_monthly): one point per month, workload, team, site and GPU model, "
              "holding the latest figure (month-to-date, FINAL, or the latest correction).", ["finance"])
    b.var("team", "Team", 'SHOW TAG VALUES FROM "gpu_rollup_monthly" WITH KEY = "team"')
    b.var("site", "Site", 'SHOW TAG VALUES FROM "gpu_rollup_monthly" WITH KEY = "site"')
    f = '"team" =~ /^$team$/ AND "site" =~ /^$site$/ AND $timeFilter'
    b.panel("Monthly cost by site", "barchart", [target(
        f'SELECT sum("cost_usd") AS "cost_usd" FROM "gpu_rollup_monthly" WHERE {f} GROUP BY "month", "site"',
        fmt="table")], "currencyUSD", options={"stacking": "normal"},
            # One row per month and site -> one row per month (the first column, the x axis), one bar per site.
            transformations=[{"id": "groupingToMatrix", "options": {
                "columnField": "site", "rowField": "month", "valueField": "cost_usd"}}])
    b.panel("Monthly idle share", "barchart", [target(
        f'SELECT sum("idle_usd") / sum("cost_usd") * 100 AS "idle_share" FROM "gpu_rollup_monthly" WHERE {f} '
        'GROUP BY "month"', fmt="table")], "percent", options={"xField": "month"})
    b.panel("Monthly GPU hours", "barchart", [target(
        f'SELECT sum("gpu_hours") AS "gpu_hours", sum("busy_gpu_hours") AS "busy_gpu_hours" FROM "gpu_rollup_monthly" '
        f'WHERE {f} GROUP BY "month"', fmt="table")], "h", options={"xField": "month"})
    b.panel("Monthly energy (on-prem)", "barchart", [target(
        f'SELECT sum("energy_kwh") AS "energy_kwh" FROM "gpu_rollup_monthly" WHERE {f} GROUP BY "month"',
        fmt="table")], "kwatth", options={"xField": "month"})
    b.panel("Monthly rollup per team and workload", "table", [target(
        'SELECT last("cost_usd") AS "cost_usd", last("idle_usd") AS "idle_usd", last("gpu_hours") AS "gpu_hours", '
        'last("busy_gpu_hours") AS "busy_gpu_hours", last("energy_kwh") AS "energy_kwh" FROM "gpu_rollup_monthly" '
        'WHERE ' + f + ' GROUP BY "month", "team", "workload", "site", "gpu_model"',
        fmt="table")], "currencyUSD", w=24, h=10,
            overrides={"gpu_hours": "h", "busy_gpu_hours": "h", "energy_kwh": "kwatth"},
            description="The finance report: one row per month, team, workload, site and GPU model. Rows without "
                        "a team are workloads no team owns (unallocated GPU time among them).")
    b.panel("Billed vs estimated per month (EC2 GPU instances)", "barchart", [target(
        'SELECT sum("billed_usd") AS "billed_usd", sum("estimated_usd") AS "estimated_usd" FROM "gpu_reconcile" '
        'WHERE $timeFilter GROUP BY "month"', fmt="table")], "currencyUSD", options={"xField": "month"},
            description="From costline reconcile: the AWS bill's EffectiveCost of the EC2 GPU instances against "
                        "costline's cost of them, per month.")
    b.panel("Bill differences per instance", "table", [target(
        'SELECT last("billed_usd") AS "billed_usd", last("estimated_usd") AS "estimated_usd", '
        'last("difference_usd") AS "difference_usd", last("difference_pct") AS "difference_pct", '
        'last("causes") AS "causes", last("alert") AS "alert" FROM "gpu_reconcile" WHERE $timeFilter '
        'GROUP BY "month", "instance_id", "instance_type"', fmt="table")], "currencyUSD",
            overrides={"difference_pct": "percent"},
            description="Per instance and month: difference = estimated - billed; causes INSTANCE_NOT_SEEN, NOT_BILLED, "
                        "HOURS_MISSING, EXTRA_HOURS, DISCOUNT_NOT_IN_CATALOG, RATE_ABOVE_CATALOG; alert above the "
                        "tolerance (default 2 %).")
    b.write("finance.json")


def decisions():
    b = Board("costline-decisions", "costline / Decisions", "now/M",
              "Cloud spend against the on-prem line per workload, buy / rent / hybrid recommendations, drift. "
              "The default range is this month so far, so the cumulative cloud cost is month-to-date.", ["decisions"])
    b.var("workload", "Workload", 'SHOW TAG VALUES FROM "gpu_alert" WITH KEY = "workload"')
    b.annotation("Drift", 'SELECT "change_pct", "entity", "metric", "direction", "severity" FROM "gpu_drift" '
                          'WHERE $timeFilter', "entity", "metric,direction,severity", "orange")
    w = '"workload" =~ /^$workload$/ AND $timeFilter'
    b.panel("Cloud month-to-date vs the on-prem line", "timeseries", [
        target('SELECT cumulative_sum(sum("cost_usd")) AS "cloud_cost_usd" FROM "gpu_cost" WHERE "site" = \'CLOUD\' '
               f'AND {w} GROUP BY time($__interval), "workload"', ref="A", alias="$tag_workload cloud (range)"),
        target(f'SELECT last("cloud_mtd_usd") AS "cloud_mtd_usd" FROM "gpu_alert" WHERE {w} '
               'GROUP BY time($__interval), "workload" fill(previous)', ref="B", alias="$tag_workload cloud MTD (at alerts)"),
        target(f'SELECT last("onprem_line_usd") AS "onprem_line_usd" FROM "gpu_alert" WHERE {w} '
               'GROUP BY time($__interval), "workload" fill(previous)', ref="C", alias="$tag_workload on-prem line")],
            "currencyUSD", w=24, h=9, interval="1m", options=TS_OPTS,
            description="A: cloud cost summed from the start of the range (month-to-date with the default range). "
                        "B: the month-to-date the alerting job reported at each transition. C: the on-prem line: what "
                        "owning the capacity would cost for the month.")
    b.panel("Spend alert transitions", "table", [target(
        'SELECT "cloud_mtd_usd", "onprem_line_usd", "projected_cross_day", "workload", "state" FROM "gpu_alert" '
        f'WHERE {w} ORDER BY time DESC', fmt="table")],
            "currencyUSD", overrides={"projected_cross_day": "suffix: (day of month)"},
            description="WARNING: the run-rate projects a crossing on projected_cross_day; FIRING: crossed; RESOLVED.")
    b.panel("Break-even recommendations", "table", [target(
        'SELECT last("yearly_savings_usd") AS "yearly_savings_usd", "optimal_owned_gpus", "break_even_months" '
        f'FROM "gpu_breakeven" WHERE {w} GROUP BY "workload", "recommendation"', fmt="table")],
            "currencyUSD", overrides={"optimal_owned_gpus": "suffix: GPUs", "break_even_months": "months"},
            description="Latest recommendation per workload and the fleet (*fleet*): GPUs worth owning, months until "
                        "buying them pays off (empty: never), yearly savings against cloud only.")
    b.panel("Fleet: GPUs worth owning", "stat", [target(
        'SELECT last("optimal_owned_gpus") AS "optimal_owned_gpus" FROM "gpu_breakeven" '
        'WHERE "workload" = \'*fleet*\' AND $timeFilter')], "suffix: GPUs", w=6, h=4)
    b.panel("Fleet: yearly savings of the recommendation", "stat", [target(
        'SELECT last("yearly_savings_usd") AS "yearly_savings_usd" FROM "gpu_breakeven" '
        'WHERE "workload" = \'*fleet*\' AND $timeFilter')], "currencyUSD", w=6, h=4)
    b.panel("Drift signals", "table", [target(
        'SELECT "change_pct", "baseline", "current", "entity", "metric", "direction", "severity" FROM "gpu_drift" '
        'WHERE $timeFilter ORDER BY time DESC', fmt="table")],
            "percent", w=12, overrides={"baseline": "none", "current": "none"},
            description="Sustained changes; baseline and current are in the metric's unit (UTILIZATION: percent, "
                        "COST_RATE: micro-USD per hour, POWER_PER_UTIL: watts per percent, IDLE: percent).")
    b.write("decisions.json")


if __name__ == "__main__":
    fleet()
    cost()
    finance()
    decisions()
