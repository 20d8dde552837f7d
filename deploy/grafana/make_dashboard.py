#!/usr/bin/env python3
"""Writes streamlm-dashboard.json (run: python3 deploy/grafana/make_dashboard.py). Kept as code so panels stay
consistent; the JSON is committed so Grafana users need no Python."""
import json
import pathlib

DS = {"type": "prometheus", "uid": "${datasource}"}
panels = []
y = 0


def row(title):
    global y
    panels.append({"type": "row", "title": title, "collapsed": False, "id": len(panels) + 1,
                   "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
    y += 1


def ts(title, targets, unit, x, w=8, h=8, desc=""):
    panels.append({
        "type": "timeseries", "title": title, "description": desc, "id": len(panels) + 1, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}},
        "targets": [{"refId": chr(ord("A") + i), "datasource": DS, "expr": e, "legendFormat": l}
                    for i, (e, l) in enumerate(targets)],
    })


def quantiles(metric, labels=("0.5", "0.9", "0.99")):
    return [(f"histogram_quantile({q}, sum by (le) (rate({metric}_bucket[$__rate_interval])))", f"p{float(q) * 100:g}")
            for q in labels]


row("Throughput")
ts("Finished requests / s by status", [("sum by (status) (rate(streamlm:requests_total[$__rate_interval]))",
                                        "{{status}}")], "reqps", 0,
   desc="ok / error / timeout / rejected, one completion each")
ts("Tokens / s", [("sum(rate(streamlm:generation_tokens_total[$__rate_interval]))", "generated"),
                  ("sum(rate(streamlm:prompt_tokens_total[$__rate_interval]))", "prompt"),
                  ("sum(rate(streamlm:prompt_tokens_cached_total[$__rate_interval]))", "prompt (from prefix cache)")],
   "short", 8)
ts("Dead letters / s by reason", [("sum by (reason) (rate(streamlm:dead_letters_total[$__rate_interval]))",
                                   "{{reason}}")], "reqps", 16)
y += 8
row("Latency")
ts("End to end (Kafka in -> Kafka out)", quantiles("streamlm:e2e_request_latency_seconds"), "s", 0,
   desc="Prompt record timestamp until the completion is handed to the sink; readers with read_committed see it "
        "at the next checkpoint")
ts("Time to first token", quantiles("streamlm:time_to_first_token_seconds"), "s", 8)
ts("Inter-token latency", quantiles("streamlm:inter_token_latency_seconds"), "s", 16)
y += 8
ts("Queue time (micro-batch + engine queue)", quantiles("streamlm:request_queue_time_seconds"), "s", 0)
ts("Inference time (first scheduled -> finished)", quantiles("streamlm:request_inference_time_seconds"), "s", 8)
ts("Finish reasons / s", [("sum by (finished_reason) (rate(streamlm:request_success_total[$__rate_interval]))",
                           "{{finished_reason}}")], "reqps", 16)
y += 8
row("Engine")
ts("Requests in the engine", [("sum(streamlm:num_requests_running)", "running"),
                              ("sum(streamlm:num_requests_waiting)", "waiting")], "short", 0)
ts("Cache usage", [("max by (pod) (streamlm:kv_cache_usage_perc)", "KV blocks {{pod}}"),
                   ("max by (pod) (streamlm:state_slot_usage_perc)", "state slots {{pod}}")], "percentunit", 8)
ts("Prefix cache hit rate", [
    ("sum(rate(streamlm:prefix_cache_hits_total[$__rate_interval])) / "
     "sum(rate(streamlm:prefix_cache_queries_total[$__rate_interval]))", "hit rate (window)"),
    ("avg(streamlm:prefix_cache_hit_rate)", "hit rate (since start)")], "percentunit", 16)
y += 8
ts("Preemptions / s", [("sum(rate(streamlm:num_preemptions_total[$__rate_interval]))", "preemptions")], "short", 0)
ts("Tokens per request", quantiles("streamlm:request_generation_tokens", ("0.5", "0.99"))
   + [(e, "prompt " + l) for e, l in quantiles("streamlm:request_prompt_tokens", ("0.5", "0.99"))], "short", 8)
y += 8
row("Flink")
ts("Kafka records not yet read (source backlog)",
   [("sum(flink_taskmanager_job_task_operator_pendingRecords)", "pending records")], "short", 0)
ts("Checkpoints", [("max(flink_jobmanager_job_lastCheckpointDuration)", "last duration (ms)"),
                   ("max(flink_jobmanager_job_numberOfFailedCheckpoints)", "failed (total)")], "short", 8,
   desc="Completions are committed per checkpoint (exactly-once)")
ts("Restarts and backpressure", [("max(flink_jobmanager_job_numRestarts)", "restarts"),
                                 ("max by (task_name) (flink_taskmanager_job_task_backPressuredTimeMsPerSecond)",
                                  "backpressured ms/s {{task_name}}")], "short", 16)

dashboard = {
    "title": "StreamLM",
    "uid": "streamlm",
    "tags": ["streamlm", "flink", "llm"],
    "timezone": "browser",
    "schemaVersion": 39,
    "version": 1,
    "refresh": "10s",
    "time": {"from": "now-1h", "to": "now"},
    "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus",
                             "label": "Prometheus", "current": {}}]},
    "panels": panels,
}
out = pathlib.Path(__file__).with_name("streamlm-dashboard.json")
out.write_text(json.dumps(dashboard, indent=2) + "\n")
print(f"wrote {out} with {sum(p['type'] != 'row' for p in panels)} panels")
