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
    "udp64": ("UDP, 64-byte payloads", "kpps received"),
    "rr": ("TCP request/response", "transactions/s"),
}
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


def main():
    raw_path, out = sys.argv[1], sys.argv[2]
    with open(raw_path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    meta = next((r for r in records if r["phase"] == "meta"), {})
    runs = [r for r in records if r["phase"] != "meta"]

    def values(phase, subject, family, workload):
        return [r["value"] for r in runs
                if (r["phase"], r["subject"], r["family"], r["workload"]) ==
                (phase, subject, family, workload)]

    rows = []
    for family in (4, 6):
        for workload in WORKLOADS:
            med = {s: median(values("main", s, family, workload))
                   for s in SUBJECTS}
            rows.append({"family": family, "workload": workload, **med,
                         "ours_intree": ratio(med["ours"], med["intree"]),
                         "ours_veth": ratio(med["ours"], med["veth"])})

    scale = {}
    for module in ("intree", "ours"):
        m = {w: median(values("scale", module, 4, w)) for w in
             ("create_us_per_dev", "kmem_bytes_per_dev", "tcp1_single",
              "tcp1_last_vni")}
        m["last_single"] = ratio(m["tcp1_last_vni"], m["tcp1_single"])
        scale[module] = m

    def goal(text, ok):
        return {"goal": text, "met": ok}

    goals = [
        goal("ours/in-tree >= 1.00 on every row",
             all(r["ours_intree"] is not None and r["ours_intree"] >= 1.0
                 for r in rows)),
        goal("ours/veth >= 0.90 for TCP",
             all(r["ours_veth"] is not None and r["ours_veth"] >= 0.9
                 for r in rows if r["workload"].startswith("tcp"))),
        goal("kernel memory per device <= in-tree",
             None not in (scale["ours"]["kmem_bytes_per_dev"],
                          scale["intree"]["kmem_bytes_per_dev"]) and
             scale["ours"]["kmem_bytes_per_dev"] <=
             scale["intree"]["kmem_bytes_per_dev"]),
        goal("TCP to the last of %s VNIs within 5%% of one device" %
             meta.get("scale", "?"),
             scale["ours"]["last_single"] is not None and
             scale["ours"]["last_single"] >= 0.95),
    ]

    lines = [
        "Medians of %s rounds of %s s each, one VM (%s, %s CPUs, kernel %s);"
        " n/a: a round failed (see the raw values)."
        % (meta.get("rounds"), meta.get("secs"), meta.get("cpu"),
           meta.get("cpus"), meta.get("kernel")),
        "",
        "| workload | underlay | unit | veth | in-tree | ours "
        "| ours/in-tree | ours/veth |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        label, unit = WORKLOADS[r["workload"]]
        digits = 0 if r["workload"] == "rr" else 2
        lines.append("| %s | IPv%d | %s | %s | %s | %s | %s | %s |" % (
            label, r["family"], unit, fmt(r["veth"], digits),
            fmt(r["intree"], digits), fmt(r["ours"], digits),
            fmt(r["ours_intree"]), fmt(r["ours_veth"])))
    lines += [
        "",
        "| %s devices on one socket | in-tree | ours | ours/in-tree |"
        % meta.get("scale", "?"),
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label, digits in (
            ("create_us_per_dev",
             "create and bring up, µs per device (lower is better)", 0),
            ("kmem_bytes_per_dev",
             "kernel memory per device, bytes (lower is better)", 0),
            ("tcp1_single", "TCP, one-device tunnel, Gbit/s", 2),
            ("tcp1_last_vni", "TCP to the last VNI created, Gbit/s", 2),
            ("last_single", "last VNI / one device", 2)):
        a, b = scale["intree"][key], scale["ours"][key]
        lines.append("| %s | %s | %s | %s |" % (
            label, fmt(a, digits), fmt(b, digits), fmt(ratio(b, a))))
    lines += ["", "Goals:"]
    lines += ["- %s: %s" % (g["goal"], "met" if g["met"] else "MISSED")
              for g in goals]
    text = "\n".join(lines) + "\n"
    print(text, end="")

    with open(out + ".md", "w") as f:
        f.write(text)
    with open(out + ".json", "w") as f:
        json.dump({"meta": meta, "rows": rows, "scale": scale,
                   "goals": goals, "raw": runs}, f, indent=1)
        f.write("\n")
    chart(rows, out + ".png")


def chart(rows, png):
    """Clustered bars of both ratios per row, with the goals as lines."""
    data = "".join('"%s IPv%d" %s %s\n' % (
        WORKLOADS[r["workload"]][0], r["family"],
        fmt(r["ours_intree"], 3).replace("n/a", "NaN"),
        fmt(r["ours_veth"], 3).replace("n/a", "NaN")) for r in rows)
    script = f"""
set terminal pngcairo size 1000,520 font ",10"
set output "{png}"
set title "geneve: ours relative to Debian's in-tree module and to bare veth (medians)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set ylabel "ratio"
set xtics rotate by -25 scale 0
set key outside top center horizontal
set arrow from graph 0, first 1.0 to graph 1, first 1.0 nohead dt 2 lc "black"
set arrow from graph 0, first 0.9 to graph 1, first 0.9 nohead dt 3 lc "gray40"
plot $data using 2:xtic(1) title "ours / in-tree (goal >= 1.00)", \\
     $data using 3 title "ours / veth (goal >= 0.90 for TCP)"
"""
    try:
        subprocess.run(["gnuplot"], input="$data << EOD\n" + data + "EOD\n" +
                       script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("# no chart: %s" % e, file=sys.stderr)


if __name__ == "__main__":
    main()
