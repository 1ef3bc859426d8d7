#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turns the raw measurements of bench/guest.sh into a report.

    report.py RAW.jsonl OUT

Writes OUT.json (every raw value, the medians, the ratios and the goals),
OUT.md (the tables, also printed) and OUT.png (a chart of the ratios, when
gnuplot is installed).
"""
import json
import statistics
import subprocess
import sys

WORKLOADS = {  # name: (label, unit)
    "tcp1": ("TCP, 1 stream", "Gbit/s"),
    "tcp4": ("TCP, 4 streams", "Gbit/s"),
    "tcp1wire": ("TCP, 1 stream, MTU-sized frames, GRO", "Gbit/s"),
    "udp64": ("UDP, 64-byte payloads", "kpps received"),
    "rr": ("TCP request/response", "transactions/s"),
}
# Added beside the specified workloads to measure the tunnel's GRO: its
# ratios are reported next to the goals, with in-tree's to veth, but the
# goals were not set for it.
BEYOND_GOALS = ("tcp1wire",)
SUBJECTS = ("veth", "intree", "ours")


def median(values):
    """The median of the values measured; None if any round failed, so
    that subjects are always compared over the same number of rounds."""
    if not values or None in values:
        return None
    return statistics.median(values)


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, digits=2):
    return "n/a" if v is None else f"{v:.{digits}f}"


def fmt_ratio(v):
    """Three digits: instruction-counted runs repeat to a few tenths of
    a percent, which two digits would round away."""
    return fmt(v, 3)


def read_raw(path):
    """The run's description and its measurements."""
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    meta = next((r for r in records if r["phase"] == "meta"), {})
    return meta, [r for r in records if r["phase"] != "meta"]


def main():
    raw_path, out = sys.argv[1], sys.argv[2]
    meta, runs = read_raw(raw_path)

    def values(phase, subject, family, workload):
        return [r["value"] for r in runs
                if (r["phase"], r["subject"], r["family"], r["workload"]) ==
                (phase, subject, family, workload)]

    def round_ratios(family, workload, subject):
        """ours/SUBJECT per round: the subjects of one round ran minutes
        apart, so pairing them cancels slow drifts of the host."""
        by_round = {}
        for r in runs:
            if (r["phase"], r["family"], r["workload"]) == \
                    ("main", family, workload):
                by_round.setdefault(r["round"], {})[r["subject"]] = r["value"]
        ratios = (ratio(v.get("ours"), v.get(subject))
                  for v in by_round.values())
        return sorted(r for r in ratios if r is not None)

    rows = []
    for family in (4, 6):
        for workload in WORKLOADS:
            med = {s: median(values("main", s, family, workload))
                   for s in SUBJECTS}
            rows.append({"family": family, "workload": workload, **med,
                         "ours_intree": ratio(med["ours"], med["intree"]),
                         "ours_veth": ratio(med["ours"], med["veth"]),
                         "ours_intree_rounds":
                             round_ratios(family, workload, "intree"),
                         "ours_veth_rounds":
                             round_ratios(family, workload, "veth")})

    scale = {}
    for module in ("intree", "ours"):
        m = {w: median(values("scale", module, 4, w)) for w in
             ("create_us_per_dev", "kmem_bytes_per_dev", "tcp1_single",
              "tcp1_last_vni", "delete_us_per_dev")}
        m["last_single"] = ratio(m["tcp1_last_vni"], m["tcp1_single"])
        scale[module] = m

    def goal(text, ok, detail=""):
        return {"goal": text, "met": ok, "detail": detail}

    def ratio_goal(text, key, bound, selected):
        """Met when every selected row's ratio of medians reaches BOUND.
        Otherwise each missing row is told apart by its per-round ratios:
        their range holds the median per-round ratio with a confidence of
        1 - 2^(1-n) (94 % for 5 rounds), so a range that reaches BOUND means
        this run cannot tell the row from the goal."""
        missed = [r for r in selected
                  if r[key] is None or r[key] < bound]
        notes = []
        for r in missed:
            per_round = r[key + "_rounds"]
            name = "%s IPv%d" % (WORKLOADS[r["workload"]][0], r["family"])
            if r[key] is None or not per_round:
                notes.append("%s: n/a" % name)
            elif per_round[-1] >= bound:
                # Four digits: a miss by less than 0.0005 would print as
                # the bound itself.
                notes.append("%s: %s, rounds %s-%s, within noise" % (
                    name, fmt(r[key], 4), fmt(per_round[0], 4),
                    fmt(per_round[-1], 4)))
            else:
                notes.append("%s: %s, every round below %.2f" % (
                    name, fmt(r[key], 4), bound))
        return goal(text, not missed, "; ".join(notes))

    def passes(key):
        """Each module's creation passes, and whether their ranges overlap
        (then the passes cannot order the two modules)."""
        v = {m: values("scale", m, 4, key) for m in ("ours", "intree")}
        text = "passes: ours %s; in-tree %s" % (
            ", ".join(map(str, v["ours"])), ", ".join(map(str, v["intree"])))
        if None in v["ours"] + v["intree"] or not v["ours"] or not v["intree"]:
            return text
        if min(v["ours"]) <= max(v["intree"]) and \
                min(v["intree"]) <= max(v["ours"]):
            text += ", overlapping: within noise"
        return text

    goal_rows = [r for r in rows if r["workload"] not in BEYOND_GOALS]
    goals = [
        ratio_goal("ours/in-tree >= 1.00 on every goal row", "ours_intree",
                   1.0, goal_rows),
        ratio_goal("ours/veth >= 0.90 for TCP", "ours_veth", 0.9,
                   [r for r in goal_rows if r["workload"].startswith("tcp")]),
        goal("kernel memory per device <= in-tree",
             None not in (scale["ours"]["kmem_bytes_per_dev"],
                          scale["intree"]["kmem_bytes_per_dev"]) and
             scale["ours"]["kmem_bytes_per_dev"] <=
             scale["intree"]["kmem_bytes_per_dev"],
             passes("kmem_bytes_per_dev")),
        goal("deleting devices under traffic, time per device <= in-tree",
             None not in (scale["ours"]["delete_us_per_dev"],
                          scale["intree"]["delete_us_per_dev"]) and
             scale["ours"]["delete_us_per_dev"] <=
             scale["intree"]["delete_us_per_dev"],
             passes("delete_us_per_dev")),
        goal("TCP to the last of %s VNIs within 5%% of one device" %
             meta.get("scale", "?"),
             scale["ours"]["last_single"] is not None and
             scale["ours"]["last_single"] >= 0.95),
    ]

    if meta.get("clock") == "icount":
        clock = ("guest clock: 1 ns per instruction executed, so rates are"
                 " work per instruction")
    else:
        clock = "host's clock"
    lines = [
        "Medians of %s rounds of %s s each, one VM (%s, %s CPUs, %s,"
        " kernel %s); n/a: a round failed (see the raw values).  \"per"
        " round\": the lowest and highest ratio of one round's measurements."
        % (meta.get("rounds"), meta.get("secs"), meta.get("cpu"),
           meta.get("cpus"), clock, meta.get("kernel")),
        "",
        "| workload | underlay | unit | veth | in-tree | ours "
        "| ours/in-tree | per round | ours/veth | per round |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | :---: | ---: | :---: |",
    ]

    def spread(values):
        return "%s-%s" % (fmt_ratio(values[0]), fmt_ratio(values[-1])) \
            if values else "n/a"

    for r in rows:
        label, unit = WORKLOADS[r["workload"]]
        digits = 0 if r["workload"] == "rr" else 2
        lines.append("| %s | IPv%d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, r["family"], unit, fmt(r["veth"], digits),
            fmt(r["intree"], digits), fmt(r["ours"], digits),
            fmt_ratio(r["ours_intree"]), spread(r["ours_intree_rounds"]),
            fmt_ratio(r["ours_veth"]), spread(r["ours_veth_rounds"])))
    lines += [
        "",
        "| %s devices on one socket | in-tree | ours | ours/in-tree |"
        % meta.get("scale", "?"),
        "| --- | ---: | ---: | ---: |",
    ]
    deletions = min(1000, int(meta.get("scale", 1001)) - 1)
    for key, label, digits in (
            ("create_us_per_dev",
             "create and bring up, µs per device (lower is better)", 0),
            ("kmem_bytes_per_dev",
             "kernel memory per device, bytes (lower is better)", 0),
            ("delete_us_per_dev",
             "delete %s of them under TCP (ip -batch), µs per device"
             " (lower is better)" % deletions, 0),
            ("tcp1_single", "TCP, one-device tunnel, Gbit/s", 2),
            ("tcp1_last_vni", "TCP to the last VNI created, Gbit/s", 2),
            ("last_single", "last VNI / one device", 2)):
        a, b = scale["intree"][key], scale["ours"][key]
        lines.append("| %s | %s | %s | %s |" % (
            label, fmt(a, digits), fmt(b, digits), fmt_ratio(ratio(b, a))))
    failed = ["%s IPv%d %s round %s" % (r["subject"], r["family"],
                                        r["workload"], r["round"])
              for r in runs if r["phase"] == "failed"]
    if failed:
        lines += ["", "Measured once more after a failed try (the raw values"
                  " keep it): %s." % ", ".join(failed)]
    lines += goal_lines(goals)
    beyond = [r for r in rows if r["workload"] in BEYOND_GOALS]
    if beyond:
        lines += ["", "Rows beside the goals (added to measure GRO; no goal"
                  " was set for them):"]
        lines += ["- %s IPv%d: ours/in-tree %s (rounds %s), ours/veth %s,"
                  " in-tree/veth %s" % (
                      WORKLOADS[r["workload"]][0], r["family"],
                      fmt_ratio(r["ours_intree"]),
                      spread(r["ours_intree_rounds"]),
                      fmt_ratio(r["ours_veth"]),
                      fmt_ratio(ratio(r["intree"], r["veth"])))
                  for r in beyond]
    write(out, lines, {"meta": meta, "rows": rows, "scale": scale,
                       "goals": goals, "raw": runs})
    chart(rows, out + ".png")


def goal_lines(goals):
    return ["", "Goals:"] + [
        "- %s: %s%s" % (g["goal"], "met" if g["met"] else "MISSED",
                        " (%s)" % g["detail"] if g["detail"] else "")
        for g in goals]


def write(out, lines, everything):
    """Prints the tables and writes OUT.md and OUT.json."""
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(out + ".md", "w") as f:
        f.write(text)
    with open(out + ".json", "w") as f:
        json.dump(everything, f, indent=1)
        f.write("\n")


def chart(rows, png):
    """Clustered bars of both ratios per row, whiskers from the lowest to
    the highest per-round ratio, and the goals as lines."""
    def columns(r, key):
        per_round = r[key + "_rounds"] or [None]
        return " ".join(fmt(v, 3).replace("n/a", "NaN") for v in
                        (r[key], per_round[0], per_round[-1]))

    data = "".join('"%s IPv%d%s" %s %s\n' % (
        WORKLOADS[r["workload"]][0], r["family"],
        " (no goal)" if r["workload"] in BEYOND_GOALS else "",
        columns(r, "ours_intree"), columns(r, "ours_veth")) for r in rows)
    script = bar_chart(png, "geneve: ours relative to Debian's in-tree module"
                       " and to bare veth (medians; whiskers: lowest and"
                       " highest round)", "errorbars gap 1 lw 1") + f"""
set arrow from graph 0, first 0.9 to graph 1, first 0.9 nohead dt 3 lc "gray40"
plot $data using 2:3:4:xtic(1) title "ours / in-tree (goal >= 1.00)", \\
     $data using 5:6:7 title "ours / veth (goal >= 0.90 for TCP)"
"""
    gnuplot(data, script)


def bar_chart(png, title, style):
    """What both reports' charts share: bars of ratios, a line at 1.0."""
    return f"""
set terminal pngcairo size 1000,520 font ",10"
set output "{png}"
set title "{title}"
set style data histograms
set style histogram {style}
set style fill solid 0.8 border -1
set yrange [0:*]
set ylabel "ratio"
set xtics rotate by -25 scale 0
set key outside top center horizontal
set arrow from graph 0, first 1.0 to graph 1, first 1.0 nohead dt 2 lc "black"
"""


def gnuplot(data, script):
    """Runs SCRIPT with DATA as its $data block; no chart without gnuplot."""
    try:
        subprocess.run(["gnuplot"], input="$data << EOD\n" + data + "EOD\n" +
                       script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("# no chart: %s" % e, file=sys.stderr)


if __name__ == "__main__":
    main()
