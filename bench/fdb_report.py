#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turns the raw measurements of bench/fdb_guest.sh into a report.

    fdb_report.py RAW.jsonl OUT

Writes OUT.json (raw values, medians, ratios, goals), OUT.md (the tables,
also printed) and OUT.png (the ratios, when gnuplot is installed).
"""
import sys

from report import bar_chart, fmt, gnuplot, goal_lines, median, ratio, read_raw, write

ENTRIES = (1, 4096, 100000)
REMOTES = (1, 8, 32)
LEARN = 100000
WORKLOADS = {"tcp1": ("TCP, 1 stream", "Gbit/s"),
             "udp64": ("UDP, 64-byte payloads", "kpps received")}


def main():
    raw_path, out = sys.argv[1], sys.argv[2]
    meta, runs = read_raw(raw_path)

    def med(phase, subject, workload):
        return median([r["value"] for r in runs
                       if (r["phase"], r["subject"], r["workload"]) ==
                       (phase, subject, workload)])

    unicast = []
    for n in ENTRIES:
        for w in WORKLOADS:
            row = {"entries": n, "workload": w,
                   "p2p": med("unicast", "p2p", w + "_1"),
                   "ours": med("unicast", "ours", "%s_%d" % (w, n)),
                   "vxlan": med("unicast", "vxlan", "%s_%d" % (w, n))}
            row["ours_p2p"] = ratio(row["ours"], row["p2p"])
            row["ours_vxlan"] = ratio(row["ours"], row["vxlan"])
            unicast.append(row)
    flood = []
    for r in REMOTES:
        row = {"remotes": r,
               "ours": med("flood", "ours", "copies_%d" % r),
               "vxlan": med("flood", "vxlan", "copies_%d" % r),
               "ours_lost": med("flood", "ours", "lost_%d" % r),
               "vxlan_lost": med("flood", "vxlan", "lost_%d" % r)}
        row["ours_vxlan"] = ratio(row["ours"], row["vxlan"])
        flood.append(row)
    learn = {}
    for s in ("ours", "vxlan"):
        m = {k: med("learn", s, k) for k in (
            "seconds_learning", "seconds_control", "learnt",
            "received_learning", "received_control", "not_learnt_counted")}
        on, off = m["seconds_learning"], m["seconds_control"]
        m["us_per_source"] = None if None in (on, off) else \
            (on - off) / LEARN * 1e6
        learn[s] = m
    memory = []
    for n in ENTRIES[1:]:
        row = {"entries": n,
               "ours": med("memory", "ours", "bytes_per_entry_%d" % n),
               "vxlan": med("memory", "vxlan", "bytes_per_entry_%d" % n)}
        row["ours_vxlan"] = ratio(row["ours"], row["vxlan"])
        memory.append(row)

    def goal(text, rows, key, ok):
        missed = ["%s: %s" % (r["label"], fmt(r[key], 3)) for r in rows
                  if r[key] is None or not ok(r[key])]
        return {"goal": text, "met": not missed, "detail": "; ".join(missed)}

    for r in unicast:
        r["label"] = "%s, %d entries" % (WORKLOADS[r["workload"]][0], r["entries"])
    for r in flood:
        r["label"] = "%d remotes" % r["remotes"]
    for r in memory:
        r["label"] = "%d entries" % r["entries"]
    largest = [r for r in unicast if r["entries"] == ENTRIES[-1]]
    goals = [
        goal("unicast through %d entries within 2%% of a point-to-point"
             " device (ours/p2p >= 0.98)" % ENTRIES[-1], largest, "ours_p2p",
             lambda v: v >= 0.98),
        goal("unicast ours/VXLAN >= 1.00 with the same entries", unicast,
             "ours_vxlan", lambda v: v >= 1.0),
        goal("replication, copies per second ours/VXLAN >= 1.00", flood,
             "ours_vxlan", lambda v: v >= 1.0),
        goal("kernel memory per entry <= VXLAN's", memory, "ours_vxlan",
             lambda v: v <= 1.0),
    ]

    clock = ("guest clock: 1 ns per instruction executed"
             if meta.get("clock") == "icount" else "host's clock")
    lines = [
        "Medians of %s rounds (%s s per throughput run), one VM (%s, %s CPUs,"
        " %s, kernel %s); VXLAN is the kernel's own driver given the same"
        " `bridge fdb` commands; p2p is our device with a remote and no"
        " table." % (meta.get("rounds"), meta.get("secs"), meta.get("cpu"),
                     meta.get("cpus"), clock, meta.get("kernel")),
        "",
        "| unicast through the table | unit | p2p | ours | VXLAN "
        "| ours/p2p | ours/VXLAN |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in unicast:
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["label"], WORKLOADS[r["workload"]][1], fmt(r["p2p"]),
            fmt(r["ours"]), fmt(r["vxlan"]), fmt(r["ours_p2p"], 3),
            fmt(r["ours_vxlan"], 3)))
    lines += ["", "| broadcast to a flood list (head-end replication) "
              "| ours, thousand copies/s | VXLAN | ours/VXLAN | copies lost,"
              " ours / VXLAN |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in flood:
        lines.append("| %s | %s | %s | %s | %s / %s |" % (
            r["label"], fmt(r["ours"]), fmt(r["vxlan"]),
            fmt(r["ours_vxlan"], 3), fmt(r["ours_lost"], 0),
            fmt(r["vxlan_lost"], 0)))
    lines += ["", "| kernel memory per entry, bytes (lower is better) | ours "
              "| VXLAN | ours/VXLAN |", "| --- | ---: | ---: | ---: |"]
    for r in memory:
        lines.append("| %s | %s | %s | %s |" % (
            r["label"], fmt(r["ours"], 0), fmt(r["vxlan"], 0),
            fmt(r["ours_vxlan"], 3)))
    lines += ["", "| %d frames from as many new source MACs | ours | VXLAN |"
              % LEARN, "| --- | ---: | ---: |"]
    for key, label, digits in (
            ("seconds_learning", "seconds until all arrived, learning", 3),
            ("seconds_control", "seconds until all arrived, learning off", 3),
            ("us_per_source", "what learning adds, µs per source", 2),
            ("learnt", "sources learnt", 0),
            ("not_learnt_counted", "sources not learnt, counted"
             " (`learn_drop_*`)", 0),
            ("received_learning", "frames received, learning", 0)):
        lines.append("| %s | %s | %s |" % (
            label, fmt(learn["ours"][key], digits),
            fmt(learn["vxlan"][key], digits)))
    lines += goal_lines(goals)
    write(out, lines, {"meta": meta, "unicast": unicast, "flood": flood,
                       "memory": memory, "learn": learn, "goals": goals,
                       "raw": runs})
    chart(unicast, flood, memory, out + ".png")


def chart(unicast, flood, memory, png):
    """Bars: ours/VXLAN on every row, ours/p2p on the unicast rows."""
    def num(v):
        return fmt(v, 3).replace("n/a", "NaN")

    data = "".join('"%s" %s %s\n' % (r["label"], num(r["ours_vxlan"]),
                                      num(r.get("ours_p2p")))
                   for r in unicast + flood)
    data += "".join('"memory, %s (lower is better)" %s NaN\n' % (
        r["label"], num(r["ours_vxlan"])) for r in memory)
    script = bar_chart(png, "geneve forwarding database: ours relative to"
                       " VXLAN's and to a point-to-point device (medians)",
                       "clustered gap 1") + """
plot $data using 2:xtic(1) title "ours / VXLAN", \\
     $data using 3 title "ours / point-to-point (unicast)"
"""
    gnuplot(data, script)


if __name__ == "__main__":
    main()
