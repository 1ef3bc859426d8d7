#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Open vSwitch's compat Geneve vport, through generic netlink: what
ovs-vswitchd falls back to when it cannot create its tunnel device by
rtnetlink.  The kernel's vport_geneve then calls geneve_dev_create_fb().

  ovs_vport.py add-geneve DATAPATH NAME DST_PORT

Prints "OK", or "ERR <ERRNO>" and exits 1.
"""
import errno
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL = 0x1, 0x4, 0x400, 0x200
NLA_F_NESTED = 0x8000
OVS_VPORT_CMD_NEW = 1
OVS_VPORT_VERSION = 1
OVS_VPORT_ATTR_TYPE, OVS_VPORT_ATTR_NAME = 2, 3
OVS_VPORT_ATTR_OPTIONS, OVS_VPORT_ATTR_UPCALL_PID = 4, 5
OVS_VPORT_TYPE_GENEVE = 5
OVS_TUNNEL_ATTR_DST_PORT = 1


def nla(kind, payload):
    return struct.pack("=HH", 4 + len(payload), kind) + payload + \
        b"\0" * (-len(payload) % 4)


def request(sock, family, flags, cmd, version, payload):
    body = struct.pack("=BBH", cmd, version, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(body), family, flags, 1, 0) + body)
    return sock.recv(65536)


def family_id(sock, name):
    reply = request(sock, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1,
                    nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
    off = 16 + 4
    while off + 4 <= len(reply):
        alen, atype = struct.unpack("=HH", reply[off:off + 4])
        if atype == CTRL_ATTR_FAMILY_ID:
            return struct.unpack("=H", reply[off + 4:off + 6])[0]
        off += (alen + 3) & ~3
    raise SystemExit("no generic netlink family " + name)


def add_geneve(dp, name, port):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    family = family_id(sock, "ovs_vport")
    payload = struct.pack("=i", socket.if_nametoindex(dp))
    payload += nla(OVS_VPORT_ATTR_TYPE, struct.pack("=I", OVS_VPORT_TYPE_GENEVE))
    payload += nla(OVS_VPORT_ATTR_NAME, name.encode() + b"\0")
    payload += nla(OVS_VPORT_ATTR_UPCALL_PID, struct.pack("=I", 0))
    payload += nla(OVS_VPORT_ATTR_OPTIONS | NLA_F_NESTED,
                   nla(OVS_TUNNEL_ATTR_DST_PORT, struct.pack("=H", port)))
    reply = request(sock, family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
                    NLM_F_EXCL, OVS_VPORT_CMD_NEW, OVS_VPORT_VERSION, payload)
    mtype = struct.unpack("=H", reply[4:6])[0]
    err = struct.unpack("=i", reply[16:20])[0] if mtype == NLMSG_ERROR else 0
    if err == 0:
        print("OK")
        return 0
    print("ERR " + errno.errorcode.get(-err, str(-err)))
    return 1


def main(argv):
    if len(argv) != 5 or argv[1] != "add-geneve":
        raise SystemExit(__doc__)
    return add_geneve(argv[2], argv[3], int(argv[4]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
