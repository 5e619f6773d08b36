"""The one table: metric, value, target, met?"""
from __future__ import annotations


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def rows(results: dict) -> list[dict]:
    latency = results["config"]["latency_ms"]
    table: list[dict] = []
    titles = {"cold_dashboard": "1", "warm_dashboard": "2", "mixed_load": "3", "stampede": "4",
              "webhook_ingest": "5", "webhook_processing": "5", "provisioning": "6", "provider_outage": "7"}
    failed = {key: results[key]["failed"] for key in titles if isinstance(results.get(key), dict)
              and "failed" in results[key]}
    results = {key: value for key, value in results.items() if key not in failed}

    def add(section: str, metric: str, value: str, target: str, ok: bool | None) -> None:
        table.append({"section": section, "metric": metric, "value": value, "target": target, "met": _met(ok)})

    cold = results.get("cold_dashboard")
    if cold:
        ratio = cold["ratio_to_latency"]
        add("1", "dashboard, cold cache: median page time / L",
            f"{ratio} ({cold['median_ms']} ms, L = {latency:g} ms, {cold['provider_calls_median']:g} calls)",
            "<= 1.5", ratio is not None and ratio <= 1.5)
        first = cold.get("first_visit")
        if first:
            add("1", "  (for reference) a customer's first dashboard (SIMs not yet known) / L",
                f"{first['ratio_to_latency']} ({first['median_ms']} ms)", "-", None)
        bare = cold.get("without_latency")
        if bare:
            add("1", "  (for reference) the same with L = 0: the page's own cost",
                f"{bare['median_ms']} ms", "-", None)
    warm = results.get("warm_dashboard")
    if warm:
        medians = warm["median_ms"]
        add("2", "dashboard, warm cache: median / median of /healthz",
            f"{warm['ratio_to_healthz']} ({medians['dashboard']} ms / {medians['healthz']} ms)", "<= 3",
            warm["ratio_to_healthz"] <= 3)
        add("2", "  (for reference) warm dashboard / signed-in /account/",
            f"{warm['ratio_to_account']} ({medians['dashboard']} ms / {medians['account']} ms)", "-", None)
        add("2", "  provider calls per warm dashboard view", f"{warm['provider_calls_per_view']:g}", "0",
            warm["provider_calls_per_view"] == 0)
    mix = results.get("mixed_load")
    if mix and "population" in mix:
        _population_rows(mix, add)
    elif mix:
        add("3", f"mixed load ({mix['sessions']} sessions, {mix['customers']} customers, {mix['duration_s']:g} s): "
            "pages/s", f"{mix['pages_per_s']:g} ({mix['pages']} pages)", "-", None)
        add("3", "  p50 / p95 / p99", f"{mix['p50_ms']:g} / {mix['p95_ms']:g} / {mix['p99_ms']:g} ms", "-", None)
        add("3", "  provider calls per page view",
            f"{mix['provider_calls_per_page']:g} ({mix['provider_calls']} calls)", "<= 0.1",
            mix["provider_calls_per_page"] <= 0.1)
        add("3", "  error rate", f"{mix['error_rate']:g} ({mix['errors']} errors)", "0", mix["errors"] == 0)
    memory = (mix or {}).get("memory")
    if memory:
        load, sign_ins = memory["after_load"], memory["after_sign_ins"]
        add("mem", "peak RSS of a web worker during the browsing load (VmHWM)",
            f"{load['peak_mib']} MiB (each worker: "
            + ", ".join(f"{w['peak_mib']}" for w in load["workers"].values()) + f" MiB; RSS now {load['rss_mib']} MiB)",
            "report", None)
        add("mem", "  peak RSS including the concurrent sign-ins before it",
            f"{sign_ins['peak_mib']} MiB (Argon2: ~100 MiB per password hash in flight)", "report", None)
    stamp = results.get("stampede")
    if stamp:
        others = {k: v for k, v in stamp["whmcs_calls"].items() if k != "GetInvoices"}
        add("4", f"stampede: {stamp['requests']} concurrent cold GETs of {stamp['path']}: GetInvoices calls",
            f"{stamp['get_invoices_calls']} (X-Provider-Calls sum {stamp['provider_calls_header_sum']}"
            + (f", other WHMCS calls {others}" if others else "") + f", {stamp['ok']} OK)",
            "1", stamp["get_invoices_calls"] == 1 and stamp["ok"] == stamp["requests"])
    hooks = results.get("webhook_ingest")
    if hooks:
        add("5", "webhook ingest: signed webhooks/s / /healthz requests/s",
            f"{hooks['ratio_to_healthz']} ({hooks['webhooks_per_s']:g}/s vs {hooks['healthz_per_s']:g}/s, "
            f"concurrency {hooks['concurrency']})", ">= 0.5", hooks["ratio_to_healthz"] >= 0.5)
        add("5", "  every event stored once",
            f"{'yes' if hooks['stored_once'] else 'NO'} ({hooks['rows_stored']} rows for {hooks['events']} events, "
            f"{hooks['duplicates_sent']} duplicates re-sent)", "yes", hooks["stored_once"])
    processing = results.get("webhook_processing")
    if processing:
        add("5", "  then processed by a Celery worker",
            f"{processing['processed']} in {processing['drain_s']:g} s ({processing['processed_per_s']}/s)", "-", None)
    prov = results.get("provisioning")
    if prov and not prov["available"]:
        add("6", "provisioning: order events with duplicates through Celery", prov["reason"], "0 duplicate orders",
            None)
    elif prov:
        states = ", ".join(f"{count} {state}" for state, count in sorted(prov["states"].items()))
        add("6", f"provisioning: {prov['orders']} orders, {prov['events']} events "
            f"({prov['duplicate_events']} duplicates), Celery x{prov['celery_concurrency']}: jobs/s",
            f"{prov['jobs_per_s']} ({states} in {prov['finished_in_s']:g} s; {prov['worker_s_per_job']} worker-s "
            f"and {prov['provider_calls_per_job']:g} provider calls per job)"
            + (f" {prov['reason']}" if prov["reason"] else ""), "-", None)
        add("6", "  duplicate WHMCS orders",
            f"{prov['duplicate_whmcs_orders']} ({prov['whmcs_orders']} WHMCS orders for {prov['jobs']} jobs)",
            "0", prov["duplicate_whmcs_orders"] == 0 and prov["jobs"] == prov["orders"])
    outage = results.get("provider_outage")
    if outage:
        statuses = ", ".join(f"{count} x {status}" for status, count in sorted(outage["statuses"].items()))
        add("7", f"WHMCS down, {outage['requests']} loads of {outage['path']}: page time / L while calling WHMCS",
            f"{outage['ratio_calling']} ({outage['median_ms_calling']} ms; {outage['requests_calling_whmcs']} loads, "
            f"{outage['whmcs_calls']} WHMCS calls in all)", "-", None)
        open_ratio = outage["ratio_open"]
        add("7", "  page time / L once the circuit is open (no call to WHMCS)",
            f"{open_ratio} ({outage['median_ms_open']} ms; answers: {statuses})", "< 1",
            open_ratio is not None and open_ratio < 1 and set(outage["statuses"]) == {503})
    for key, error in failed.items():
        table.append({"section": titles[key], "metric": f"{key.replace('_', ' ')}: FAILED", "value": error[:150],
                      "target": "-", "met": "NO"})
    return table


def _population_rows(mix: dict, add) -> None:
    """Phase 3 with the generated customers (bench/population.py)."""
    first, signing_in = mix["first_pass"], mix["sign_in"]
    add("3", f"browsing: {mix['customers']} of {mix['population']:,} customers, {mix['concurrency']} clients, "
        f"{mix['duration_s']:g} s: pages/s", f"{mix['pages_per_s']:g} ({mix['pages']} pages in {mix['visits']} visits)",
        "-", None)
    add("3", "  sign-ins through the form (Argon2)",
        f"{signing_in['customers']} in {signing_in['seconds']:g} s ({signing_in['per_s']:g}/s, "
        f"{signing_in['concurrency']} at a time, {signing_in['retries']} retried)", "-", None)
    add("3", "  first view of each page (cold): provider calls per page",
        f"{first['provider_calls_per_page']:g} ({first['pages']} pages, {first['pages_per_customer']:g} per customer, "
        f"{first['seconds']:g} s, {first['errors']} errors)", "-", None)
    add("3", "  p50 / p95 / p99 (steady state)", f"{mix['p50_ms']:g} / {mix['p95_ms']:g} / {mix['p99_ms']:g} ms",
        "-", None)
    add("3", "  provider calls per page, steady state (received by the emulators)",
        f"{mix['calls_received_per_page']:g} ({mix['calls_received']} calls; X-Provider-Calls "
        f"{mix['provider_calls_per_page']:g})", "<= 0.1", mix["calls_received_per_page"] <= 0.1)
    add("3", "  error rate", f"{mix['error_rate']:g} ({mix['errors']} errors)", "0", mix["errors"] == 0)
    cache, database = mix["footprint"]["redis"], mix["footprint"]["database"]
    if cache["customers_cached"]:
        add("mem", "Redis per customer with cached values (MEMORY USAGE of their keys)",
            f"{cache['bytes_per_customer_mean'] / 1024:.1f} KiB mean ({cache['bytes_per_customer_median'] / 1024:.1f} "
            f"median, {cache['bytes_per_customer_max'] / 1024:.1f} max; {cache['keys_per_customer_mean']:g} keys; "
            f"{cache['customers_cached']} customers; {cache['bytes_shared'] / 1024:.0f} KiB shared)", "report", None)
    add("mem", "database per customer (portal tables incl. indexes / customers)",
        f"{database['bytes_per_customer'] / 1024:.2f} KiB ({database['tables_bytes'] / 2**20:.1f} MiB for "
        f"{database['customers']:,} customers; whole database {database['database_bytes'] / 2**20:.1f} MiB)",
        "report", None)


def render(table: list[dict]) -> str:
    headers = {"section": "#", "metric": "metric", "value": "value", "target": "target", "met": "met?"}
    widths = {key: max(len(headers[key]), *(len(row[key]) for row in table)) for key in headers}
    line = "+-" + "-+-".join("-" * widths[key] for key in headers) + "-+"

    def fmt(row: dict) -> str:
        return "| " + " | ".join(row[key].ljust(widths[key]) for key in headers) + " |"

    return "\n".join([line, fmt(headers), line, *(fmt(row) for row in table), line])
