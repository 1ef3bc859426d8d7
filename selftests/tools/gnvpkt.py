#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Geneve packets by hand, for the tests: no scapy, every byte explicit.

  gnvpkt.py send DST [--port P] [--bind ADDR] [--vni N] [--version V]
                [--oam] [--critical] [--reserved] [--proto 0x6558] [--opts-words N]
                [--opts-bytes N] [--inner KIND] [--src-mac M] [--dst-mac M]
                [--outer-tos T] [--inner-tos T] [--udp-csum good|bad]
                [--from-unspecified]
      sends one UDP datagram holding a Geneve header and an inner payload:
      KIND is 'ipv4-udp' (a full Ethernet + IPv4 + UDP frame, the default),
      'ipv4-short' (Ethernet + 10 bytes claiming IPv4), 'eth-short' (3 bytes)
      or 'none'.  --raw HEX sends exactly those bytes instead.  --udp-csum
      builds the UDP header itself (raw socket) with a correct or a wrong
      non-zero checksum; otherwise the kernel fills it in.
      --from-unspecified (IPv6 DST): sent from ::, through a raw socket.

  gnvpkt.py frame IFACE KIND
      writes one Ethernet frame to IFACE through an AF_PACKET socket whose
      protocol claims what KIND says, whatever the bytes hold: 'ipv4' (whole
      IPv4 + UDP), 'eth-only' (just an Ethernet header, type IPv4),
      'ipv4-short' and 'ipv6-short' (10 bytes of network header),
      'vlan-ipv4-short' and 'qinq-ipv4-short' (tags, then 4 bytes of IPv4),
      'vlan-cut' (a VLAN tag cut after 2 bytes).

  gnvpkt.py udp DST DPORT --sport S [--count N] [--tos T]
      sends N small UDP datagrams on one flow (for source port hashing).

  gnvpkt.py burst DST --count N [--cycle K | --split S] [--push-first] [--oam]
                 [--vni N] [--then-vni V --then-count M] [--port P] [--l3]
      sends N back-to-back segments of one inner TCP flow (valid checksums,
      consecutive sequence numbers: GRO may merge them), each in a Geneve
      header with one 4-byte option whose value is the segment number modulo
      K (K=1: every header the same), or with --split 0 before segment S and
      1 from it on.  --push-first sets PSH on the first segment.  --l3: bare
      IPv4 inside (protocol type 0x0800), as L3 mode sends it.  --then-vni:
      M more segments of the same flow follow, with VNI V.

  gnvpkt.py dissect PCAP [--where KEY=VALUE ...]
      prints one JSON object per Geneve packet (IPv4 or IPv6 outside) of a pcap file,
      decoded by hand from the raw bytes (an independent check of tshark).

  gnvpkt.py seeds PCAP RX_DIR OPTS_DIR PREFIX [--max N]
      writes the first N (8) distinct Geneve payloads (to port 6081) of a
      capture to RX_DIR and of their options areas to OPTS_DIR, as seeds.
"""
import argparse
import json
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def inner_frame(kind, src_mac, dst_mac, tos=0):
    eth = mac(dst_mac) + mac(src_mac)
    if kind == "none":
        return b""
    if kind == "eth-short":
        return eth[:3]
    if kind == "ipv4-short":
        return eth + b"\x08\x00" + b"\x45" + b"\0" * 9
    payload = b"geneve-test"
    udp = struct.pack("!HHHH", 4000, 4001, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton("198.51.100.9"),
                     socket.inet_aton("198.51.100.2"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return eth + b"\x08\x00" + ip + udp


def geneve_header(args):
    words = args.opts_words
    flags = (0x80 if args.oam else 0) | (0x40 if args.critical else 0)
    if args.reserved:
        flags |= 0x3F
    hdr = struct.pack("!BBH", (args.version << 6) | (words & 0x3F), flags,
                      int(args.proto, 0))
    hdr += struct.pack("!I", args.vni << 8 | (0xFF if args.reserved else 0))
    return hdr + b"\0" * args.opts_bytes


def send_with_udp_csum(data, args):
    """IPv4 only: the kernel adds the IP header, we the UDP one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect((args.dst, args.port))
    src = socket.inet_aton(args.bind or probe.getsockname()[0])
    udp = struct.pack("!HHHH", 40000, args.port, 8 + len(data), 0) + data
    pseudo = src + socket.inet_aton(args.dst) + struct.pack("!BBH", 0, 17,
                                                            len(udp))
    check = csum(pseudo + udp) or 0xFFFF
    if args.udp_csum == "bad":
        check = check ^ 0x5A5A or 0x1234
    udp = udp[:6] + struct.pack("!H", check) + udp[8:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    if args.bind:
        s.bind((args.bind, 0))
    s.sendto(udp, (args.dst, 0))


def send_from_unspecified6(data, args):
    """IPv6 from ::, which no UDP socket sends from: the whole packet by hand."""
    src, dst = bytes(16), socket.inet_pton(socket.AF_INET6, args.dst)
    udp = struct.pack("!HHHH", 40000, args.port, 8 + len(data), 0) + data
    pseudo = src + dst + struct.pack("!IxxxB", len(udp), 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64, src, dst)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(ip6 + udp, (args.dst, 0))


def cmd_send(args):
    if args.raw is not None:
        data = bytes.fromhex(args.raw)
    else:
        data = geneve_header(args) + inner_frame(args.inner, args.src_mac,
                                                 args.dst_mac, args.inner_tos)
    if args.from_unspecified:
        send_from_unspecified6(data, args)
        return
    if args.udp_csum:
        send_with_udp_csum(data, args)
        return
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.bind:
        s.bind((args.bind, 0))
    if args.outer_tos:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, args.outer_tos)
    s.sendto(data, (args.dst, args.port))


FRAMES = {  # kind: (protocol the socket claims, bytes after the MACs)
    "ipv4": (0x0800, None),
    "eth-only": (0x0800, b"\x08\x00"),
    "ipv4-short": (0x0800, b"\x08\x00\x45" + b"\0" * 9),
    "ipv6-short": (0x86DD, b"\x86\xdd\x60" + b"\0" * 9),
    "vlan-ipv4-short": (0x8100, b"\x81\x00\x00\x05\x08\x00\x45\0\0\0"),
    "qinq-ipv4-short": (0x88A8, b"\x88\xa8\x00\x07\x81\x00\x00\x05"
                                b"\x08\x00\x45\0\0\0"),
    "vlan-cut": (0x8100, b"\x81\x00\x00"),
}


def cmd_frame(args):
    proto, rest = FRAMES[args.kind]
    if rest is None:
        frame = inner_frame("ipv4-udp", "02:00:00:00:00:09",
                            "ff:ff:ff:ff:ff:ff")
    else:
        frame = mac("ff:ff:ff:ff:ff:ff") + mac("02:00:00:00:00:09") + rest
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    s.bind((args.iface, proto))
    s.send(frame)


def tcp_segment(index, payload, flags=0x10):
    seq = index * len(payload)
    src = socket.inet_aton("198.51.100.9")
    dst = socket.inet_aton("198.51.100.2")
    tcp = struct.pack("!HHIIBBHHH", 4000, 5000, seq, 1, 5 << 4, flags, 512,
                      0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    # DF with incrementing IDs, as a TCP sender makes them.
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), index,
                     0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def cmd_burst(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"x" * 100
    for i in range(args.count + args.then_count):
        flags = 0x80 if args.oam else 0
        proto = 0x0800 if args.l3 else 0x6558
        vni = args.vni if i < args.count else args.then_vni
        hdr = struct.pack("!BBHI", 2, flags, proto, vni << 8)
        value = int(i >= args.split) if args.split else i % args.cycle
        opt = struct.pack("!HBBI", 0x0101, 0x01, 1, value)
        push = args.push_first and i == 0
        inner = tcp_segment(i, payload, 0x18 if push else 0x10)
        if not args.l3:
            inner = (mac("ff:ff:ff:ff:ff:ff") + mac("02:00:00:00:00:09") +
                     b"\x08\x00" + inner)
        s.sendto(hdr + opt + inner, (args.dst, args.port))


def cmd_udp(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, args.tos)
    s.bind(("0.0.0.0", args.sport))
    for _ in range(args.count):
        s.sendto(b"flow", (args.dst, args.dport))


def pcap_frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        linktype = struct.unpack(endian + "I", head[20:24])[0]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            incl = struct.unpack(endian + "IIII", rec)[2]
            yield linktype, f.read(incl)


def udp_datagrams(path):
    """(outer header fields, UDP header, UDP payload) of each IPv4 or IPv6
    UDP datagram of a pcap file."""
    for linktype, frame in pcap_frames(path):
        off = 14 if linktype == 1 else 16      # Ethernet or Linux cooked
        ethertype = struct.unpack("!H", frame[off - 2:off])[0]
        if ethertype == 0x0800:
            ihl = (frame[off] & 0x0F) * 4
            ip = frame[off:off + ihl]
            if ip[9] != 17:
                continue
            outer = {"ip": 4, "ip_ttl": ip[8], "ip_tos": ip[1],
                     "ip_df": bool(struct.unpack("!H", ip[6:8])[0] & 0x4000),
                     "ip_label": 0}
        elif ethertype == 0x86DD:
            ihl = 40
            ip = frame[off:off + ihl]
            if ip[6] != 17:
                continue
            first = struct.unpack("!I", ip[:4])[0]
            outer = {"ip": 6, "ip_ttl": ip[7], "ip_tos": (first >> 20) & 0xFF,
                     "ip_df": True, "ip_label": first & 0xFFFFF}
        else:
            continue
        yield (outer, struct.unpack("!HHHH", frame[off + ihl:off + ihl + 8]),
               frame[off + ihl + 8:])


def cmd_seeds(args):
    """Fuzzing seeds PREFIX-N: distinct Geneve payloads (their first 512
    bytes) in RX_DIR, distinct non-empty options areas in OPTS_DIR."""
    seen = set()
    written = {args.rx_dir: 0, args.opts_dir: 0}
    for _, udp, g in udp_datagrams(args.pcap):
        if udp[1] != 6081:
            continue
        optlen = (g[0] & 0x3F) * 4
        for data, where in ((g[:512], args.rx_dir), (g[8:8 + optlen], args.opts_dir)):
            if data and (where, data) not in seen and written[where] < args.max:
                seen.add((where, data))
                written[where] += 1
                name = "%s/%s-%d" % (where, args.prefix, len(seen))
                with open(name, "wb") as f:
                    f.write(data)


def cmd_dissect(args):
    for outer, udp, g in udp_datagrams(args.pcap):
        sport, dport, ulen, ucsum = udp
        optlen = (g[0] & 0x3F) * 4
        inner = g[8 + optlen:]
        proto = struct.unpack("!H", g[2:4])[0]
        # The inner IP header, after the inner Ethernet header if any.
        iip = inner[14:] if proto == 0x6558 else inner
        if proto == 0x6558 and inner[12:14] == b"\x81\x00":
            iip = inner[18:]                    # one VLAN tag
        if iip and iip[0] >> 4 == 4:
            ihl4 = (iip[0] & 0x0F) * 4
            inner_ip = {"inner_ttl": iip[8], "inner_tos": iip[1],
                        "inner_l4": iip[9], "inner_type": iip[ihl4]}
        elif iip and iip[0] >> 4 == 6:
            inner_ip = {"inner_ttl": iip[7],
                        "inner_tos": (struct.unpack("!I", iip[:4])[0] >> 20) & 0xFF,
                        "inner_l4": iip[6], "inner_type": iip[40]}
        else:
            inner_ip = {}
        row = dict(outer, udp_sport=sport, udp_dport=dport, udp_csum=ucsum,
                   version=g[0] >> 6, opt_len=g[0] & 0x3F,
                   oam=bool(g[1] & 0x80), critical=bool(g[1] & 0x40),
                   rsvd1=g[1] & 0x3F, proto="0x%04x" % proto,
                   vni=struct.unpack("!I", g[4:8])[0] >> 8, rsvd2=g[7],
                   options=g[8:8 + optlen].hex(), inner_len=len(inner),
                   inner_ethertype=("0x%s" % inner[12:14].hex()
                                    if proto == 0x6558 else None),
                   inner_vlan_ethertype=("0x%s" % inner[16:18].hex()
                                         if proto == 0x6558 and
                                         inner[12:14] == b"\x81\x00"
                                         else None),
                   **inner_ip)
        if all(str(row.get(k)) == v for k, v in args.where):
            print(json.dumps(row))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("dst")
    s.add_argument("--port", type=int, default=6081)
    s.add_argument("--bind")
    s.add_argument("--vni", type=int, default=42)
    s.add_argument("--version", type=int, default=0)
    s.add_argument("--oam", action="store_true")
    s.add_argument("--critical", action="store_true")
    s.add_argument("--reserved", action="store_true",
                   help="set every reserved bit of the base header")
    s.add_argument("--proto", default="0x6558")
    s.add_argument("--opts-words", type=int, default=0)
    s.add_argument("--opts-bytes", type=int, default=0)
    s.add_argument("--inner", default="ipv4-udp",
                   choices=["ipv4-udp", "ipv4-short", "eth-short", "none"])
    s.add_argument("--src-mac", default="02:00:00:00:00:09")
    s.add_argument("--dst-mac", default="ff:ff:ff:ff:ff:ff")
    s.add_argument("--raw")
    s.add_argument("--outer-tos", type=lambda v: int(v, 0), default=0,
                   help="TOS byte of the outer IPv4 header (ECN in the low bits)")
    s.add_argument("--inner-tos", type=lambda v: int(v, 0), default=0)
    s.add_argument("--udp-csum", choices=["good", "bad"])
    s.add_argument("--from-unspecified", action="store_true")
    f = sub.add_parser("frame")
    f.add_argument("iface")
    f.add_argument("kind", choices=sorted(FRAMES))
    u = sub.add_parser("udp")
    u.add_argument("dst")
    u.add_argument("dport", type=int)
    u.add_argument("--sport", type=int, required=True)
    u.add_argument("--count", type=int, default=3)
    u.add_argument("--tos", type=lambda v: int(v, 0), default=0)
    b = sub.add_parser("burst")
    b.add_argument("dst")
    b.add_argument("--count", type=int, required=True)
    split = b.add_mutually_exclusive_group()
    split.add_argument("--cycle", type=int, default=1)
    split.add_argument("--split", type=int)
    b.add_argument("--push-first", action="store_true")
    b.add_argument("--oam", action="store_true")
    b.add_argument("--vni", type=int, default=42)
    b.add_argument("--then-vni", type=int, default=42)
    b.add_argument("--then-count", type=int, default=0)
    b.add_argument("--port", type=int, default=6081)
    b.add_argument("--l3", action="store_true")
    e = sub.add_parser("seeds")
    e.add_argument("pcap")
    e.add_argument("rx_dir")
    e.add_argument("opts_dir")
    e.add_argument("prefix")
    e.add_argument("--max", type=int, default=8)
    d = sub.add_parser("dissect")
    d.add_argument("pcap")
    d.add_argument("--where", action="append", default=[],
                   type=lambda kv: tuple(kv.split("=", 1)),
                   help="KEY=VALUE: only packets whose field matches")
    args = p.parse_args()
    {"send": cmd_send, "udp": cmd_udp, "burst": cmd_burst,
     "frame": cmd_frame, "dissect": cmd_dissect, "seeds": cmd_seeds}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
