#!/usr/bin/env python3
"""Aggregates a JFR recording's execution samples: share by thread group, and the top frames (self and inclusive)
of each, from `jfr print --json --events jdk.ExecutionSample`.
Usage: scripts/jfr-top.py rec.jfr [top N] [thread filter] [HH:MM:SS-HH:MM:SS, UTC: only the samples of that window]
(a filter of "" keeps every thread; the window picks one phase of a benchmark, e.g. PipelineBench's 1 Hz phase)"""
import json, re, subprocess, sys
from collections import Counter, defaultdict

rec = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
only = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
window = sys.argv[4].split("-") if len(sys.argv) > 4 else None
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", rec],
                     capture_output=True, text=True, check=True).stdout
events = json.loads(out)["recording"]["events"]

def group(name):
    # application threads are named <app id>-<uuid>-StreamThread-N; clients after them
    m = re.search(r"costline-(\w+)-[0-9a-f-]{36}-StreamThread", name) or re.search(r"bench-[\w-]*?-(cost)", name)
    if m and "producer-network" in name:
        return m.group(1) + " (producer I/O)"
    if m:
        return m.group(1) + " stream thread"
    for key in ("data-plane-kafka-request-handler", "kafka-producer-network-thread", "quickstart-sink", "questdb", "kafka-",
                "C2 Compiler", "GC", "raft", "broker"):
        if key.lower() in name.lower():
            return key
    return re.sub(r"[-_ ]?\d+$", "", name)

by_group = Counter()
self_frames = defaultdict(Counter)
incl_frames = defaultdict(Counter)
for e in events:
    v = e["values"]
    name = (v.get("sampledThread") or {}).get("javaName") or (v.get("sampledThread") or {}).get("osName") or "?"
    if only and only not in name:
        continue
    if window and not (window[0] <= v.get("startTime", "")[11:19] <= window[1]):
        continue
    g = group(name)
    by_group[g] += 1
    frames = [f["method"]["type"]["name"].split(".")[-1] + "." + f["method"]["name"] for f in (v.get("stackTrace") or {}).get("frames", [])]
    if frames:
        self_frames[g][frames[0]] += 1
        for f in set(frames):
            incl_frames[g][f] += 1

total = sum(by_group.values())
print(f"{total} execution samples")
for g, n in by_group.most_common(12):
    print(f"\n{g}: {n} ({100.0 * n / total:.1f} %)")
    print("  inclusive (costline and Kafka frames):")
    shown = 0
    for f, c in incl_frames[g].most_common(400):
        if shown >= top:
            break
        if not any(s in f for s in ("run", "Thread.", "pollPhase", "runOnce", "runLoop")):
            print(f"    {100.0 * c / n:5.1f} %  {f}")
            shown += 1
    print("  self:")
    for f, c in self_frames[g].most_common(8):
        print(f"    {100.0 * c / n:5.1f} %  {f}")
