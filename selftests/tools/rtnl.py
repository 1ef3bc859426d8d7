#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Raw rtnetlink requests for geneve links, including the ones iproute2 6.1
refuses to send (out-of-range VNI, bad DF, attributes it has no keyword for).

  rtnl.py add NAME [--no-data] [--mac HEX] [--mtu N] [ATTR=VALUE ...]
  rtnl.py change NAME [--mtu N] [ATTR=VALUE ...]
  rtnl.py show NAME
  rtnl.py fdb-add NAME MAC [dst=IP] [port=N] [vni=N]

ATTR is a geneve attribute name below, or a number with an explicit format
(NUM:hex=0a0b...).  add and change print "OK", or "ERR <ERRNO> <extack
message>" and exit 1.  show prints the device's geneve attributes as the
kernel dumps them, one "ATTR=HEX" per line (a number for unknown ones).
fdb-add adds a permanent forwarding database entry to the device's own
table (NTF_SELF), with values `bridge fdb` refuses to send (port 0, VNI
2^24); it prints like add.
"""
import errno
import socket
import struct
import sys

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
RTM_NEWLINK, RTM_GETLINK, RTM_NEWNEIGH = 16, 18, 28
AF_BRIDGE, NUD_PERMANENT, NTF_SELF = 7, 0x80, 0x02
NDA_DST, NDA_LLADDR, NDA_PORT, NDA_VNI = 1, 2, 6, 7
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
NLA_F_NESTED = 0x8000
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO = 1, 3, 4, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
NLMSGERR_ATTR_MSG = 1

GENEVE_ATTRS = {
    "id": (1, "u32"), "remote": (2, "in4"), "ttl": (3, "u8"), "tos": (4, "u8"),
    "port": (5, "be16"), "collect_metadata": (6, "flag"),
    "remote6": (7, "in6"), "udp_csum": (8, "u8"),
    "udp_zero_csum6_tx": (9, "u8"), "udp_zero_csum6_rx": (10, "u8"),
    "label": (11, "be32"), "ttl_inherit": (12, "u8"), "df": (13, "u8"),
    "inner_proto_inherit": (14, "flag"), "port_range": (15, "hex"),
    "gro_hint": (16, "flag"), "local": (17, "in4"), "local6": (18, "in6"),
}


def nla(kind, payload):
    hdr = struct.pack("=HH", 4 + len(payload), kind)
    return hdr + payload + b"\0" * (-len(payload) % 4)


def encode(fmt, value):
    if fmt == "u8":
        return struct.pack("=B", int(value, 0))
    if fmt == "u16":
        return struct.pack("=H", int(value, 0))
    if fmt == "u32":
        return struct.pack("=I", int(value, 0))
    if fmt == "be16":
        return struct.pack("!H", int(value, 0))
    if fmt == "be32":
        return struct.pack("!I", int(value, 0))
    if fmt == "in4":
        return socket.inet_pton(socket.AF_INET, value)
    if fmt == "in6":
        return socket.inet_pton(socket.AF_INET6, value)
    if fmt == "flag":
        return b""
    if fmt == "hex":
        return bytes.fromhex(value)
    raise SystemExit("unknown format " + fmt)


def geneve_attr(spec):
    name, _, value = spec.partition("=")
    if ":" in name:
        num, fmt = name.split(":")
        return nla(int(num), encode(fmt, value))
    num, fmt = GENEVE_ATTRS[name]
    return nla(num, encode(fmt, value))


def attrs_of(buf):
    """(type, payload) of each attribute in buf."""
    off = 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack("=HH", buf[off:off + 4])
        if alen < 4:
            break
        yield atype & ~NLA_F_NESTED, buf[off + 4:off + alen]
        off += (alen + 3) & ~3


def show(name):
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) + \
        nla(IFLA_IFNAME, name.encode() + b"\0")
    msg = struct.pack("=IHHII", 16 + len(body), RTM_GETLINK, NLM_F_REQUEST, 1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    s.send(msg)
    reply = s.recv(65536)
    if struct.unpack("=H", reply[4:6])[0] == NLMSG_ERROR:
        raise SystemExit("no link " + name)
    names = {num: n for n, (num, _) in GENEVE_ATTRS.items()}
    for atype, payload in attrs_of(reply[16 + 16:]):
        if atype != IFLA_LINKINFO:
            continue
        for itype, ipayload in attrs_of(payload):
            if itype != IFLA_INFO_DATA:
                continue
            for gtype, gpayload in attrs_of(ipayload):
                print("%s=%s" % (names.get(gtype, gtype), gpayload.hex()))
    return 0


def fdb_add(name, mac, rest):
    attrs = nla(NDA_LLADDR, bytes.fromhex(mac.replace(":", "")))
    for spec in rest:
        key, _, value = spec.partition("=")
        if key == "dst":
            family = socket.AF_INET6 if ":" in value else socket.AF_INET
            attrs += nla(NDA_DST, socket.inet_pton(family, value))
        elif key == "port":
            attrs += nla(NDA_PORT, struct.pack("!H", int(value)))
        elif key == "vni":
            attrs += nla(NDA_VNI, struct.pack("=I", int(value)))
        else:
            raise SystemExit("unknown fdb attribute " + key)
    body = struct.pack("=BxxxiHBB", AF_BRIDGE, socket.if_nametoindex(name),
                       NUD_PERMANENT, NTF_SELF, 0) + attrs
    return body


def main(argv):
    op, name, rest = argv[1], argv[2], argv[3:]
    if op == "show":
        return show(name)
    if op == "fdb-add":
        return talk(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                    fdb_add(name, rest[0], rest[1:]))
    attrs = nla(IFLA_IFNAME, name.encode() + b"\0")
    data, no_data = b"", False
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--no-data":
            no_data = True
        elif arg == "--mac":
            i += 1
            attrs += nla(IFLA_ADDRESS, bytes.fromhex(rest[i]))
        elif arg == "--mtu":
            i += 1
            attrs += nla(IFLA_MTU, struct.pack("=I", int(rest[i])))
        else:
            data += geneve_attr(arg)
        i += 1
    info = nla(IFLA_INFO_KIND, b"geneve\0")
    if not no_data:
        info += nla(IFLA_INFO_DATA | NLA_F_NESTED, data)
    attrs += nla(IFLA_LINKINFO | NLA_F_NESTED, info)

    flags = NLM_F_REQUEST | NLM_F_ACK
    if op == "add":
        flags |= NLM_F_CREATE | NLM_F_EXCL
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) + attrs
    return talk(RTM_NEWLINK, flags, body)


def talk(mtype, flags, body):
    """Sends one request; prints OK or the error and its extack message."""
    msg = struct.pack("=IHHII", 16 + len(body), mtype, flags, 1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.send(msg)
    reply = s.recv(65536)
    _, mtype, _, _, _ = struct.unpack("=IHHII", reply[:16])
    if mtype != NLMSG_ERROR:
        raise SystemExit("unexpected reply type %d" % mtype)
    err = struct.unpack("=i", reply[16:20])[0]
    if err == 0:
        print("OK")
        return 0
    text = ""
    off = 16 + 4 + 16               # nlmsgerr with the request header only
    while off + 4 <= len(reply):
        alen, atype = struct.unpack("=HH", reply[off:off + 4])
        if alen < 4:
            break
        if atype == NLMSGERR_ATTR_MSG:
            text = reply[off + 4:off + alen].rstrip(b"\0").decode()
        off += (alen + 3) & ~3
    # Python names 95 ENOTSUP; the kernel returns it as EOPNOTSUPP.
    name = "EOPNOTSUPP" if -err == errno.EOPNOTSUPP else errno.errorcode.get(-err, str(-err))
    print("ERR %s %s" % (name, text))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
