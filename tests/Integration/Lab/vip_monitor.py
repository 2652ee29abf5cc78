#!/usr/bin/env python3
"""VIP monitor for the lab: which namespaces hold an IPv4 or IPv6 address on a device, from rtnetlink address events instead
of polling with `ip addr` (which, on a loaded machine, both lags and adds load: a process per node per sample).
In each namespace it joins RTMGRP_IPV4_IFADDR (RTMGRP_IPV6_IFADDR for an IPv6 address) first and then dumps the addresses on the same socket, so no change
falls between the two. Prints 'ready' once every dump is done, then a line per change: '<i> <ns> add|del', where i
is the namespace's position among the arguments and ns its time on CLOCK_MONOTONIC (the clock .NET's Stopwatch
reads) when the event was read. Changes before 'ready' are the initial state. Ends when stdin closes.
Usage: vip_monitor.py ADDRESS DEVICE NETNS..."""
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTMGRP_IPV4_IFADDR = 0x10
RTMGRP_IPV6_IFADDR = 0x100
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP = 0x1, 0x2, 0x300
IFA_ADDRESS, IFA_LOCAL = 1, 2

libc = ctypes.CDLL(None, use_errno=True)


def enter(netns):
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), netns)
    finally:
        os.close(fd)


def messages(data):
    offset = 0
    while offset + 16 <= len(data):
        length, kind, flags, _seq, _pid = struct.unpack_from("=IHHII", data, offset)
        if length < 16:
            return
        yield kind, flags, data[offset + 16:offset + length]
        offset += (length + 3) & ~3


def address_of(body):
    family, _prefix, _flags, _scope, index = struct.unpack_from("=BBBBI", body, 0)
    attributes = {}
    offset = 8
    while offset + 4 <= len(body):
        length, kind = struct.unpack_from("=HH", body, offset)
        if length < 4:
            break
        attributes[kind] = body[offset + 4:offset + length]
        offset += (length + 3) & ~3
    return family, index, attributes.get(IFA_LOCAL, attributes.get(IFA_ADDRESS))


class Namespace:
    def __init__(self, position, netns, device, family):
        enter(netns)
        self.position = position
        self.family = family
        self.index = socket.if_nametoindex(device)
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, RTMGRP_IPV6_IFADDR if family == socket.AF_INET6 else RTMGRP_IPV4_IFADDR))
        self.held = False
        self.dumping = False
        self.dump()

    def dump(self):
        # A change event during the dump is newer than the dump's earlier parts: it wins (see on_done).
        self.dumping, self.seen, self.changed = True, False, False
        self.sock.send(struct.pack("=IHHIIBBBBI", 24, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, self.family, 0, 0, 0, 0))

    def set(self, held, at):
        if held != self.held:
            self.held = held
            print(f"{self.position} {at} {'add' if held else 'del'}", flush=True)


def main(vip, device, netns):
    family = socket.AF_INET6 if ":" in vip else socket.AF_INET
    wanted = socket.inet_pton(family, vip)
    spaces = [Namespace(i, n, device, family) for i, n in enumerate(netns)]
    by_fd = {s.sock.fileno(): s for s in spaces}
    ready = False
    while True:
        readable, _, _ = select.select(list(by_fd) + [sys.stdin.fileno()], [], [])
        for fd in readable:
            if fd == sys.stdin.fileno():
                if not os.read(fd, 4096):
                    return
                continue
            space = by_fd[fd]
            try:
                data = space.sock.recv(1 << 16)
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                space.dump()  # events were lost: ask for the whole state again
                continue
            at = time.monotonic_ns()
            for kind, flags, body in messages(data):
                if kind == NLMSG_DONE and space.dumping:
                    space.dumping = False
                    if not space.changed:
                        space.set(space.seen, at)
                elif kind == NLMSG_ERROR:
                    raise OSError(f"rtnetlink error in namespace {netns[space.position]}")
                elif kind in (RTM_NEWADDR, RTM_DELADDR):
                    family, index, address = address_of(body)
                    if family != space.family or index != space.index or address != wanted:
                        continue
                    if flags & NLM_F_MULTI:
                        space.seen = True
                    else:
                        space.changed = space.dumping
                        space.set(kind == RTM_NEWADDR, at)
        if not ready and not any(s.dumping for s in spaces):
            ready = True
            print(f"ready {time.monotonic_ns()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
