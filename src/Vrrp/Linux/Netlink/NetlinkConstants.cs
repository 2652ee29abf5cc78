namespace CloudCoreLb.Vrrp.Linux.Netlink;

/// <summary>
/// Netlink and rtnetlink numbers from the kernel UAPI headers (linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h,
/// linux/if_link.h, linux/if.h). Tmds.LibC does not carry them.
/// </summary>
internal static class NetlinkConstants
{
    // linux/netlink.h: message types every family shares.
    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLMSG_OVERRUN = 4;

    // linux/netlink.h: nlmsg_flags.
    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_ACK = 0x4;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_DUMP = 0x300;
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;

    // linux/rtnetlink.h: message types.
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_GETADDR = 22;

    // linux/rtnetlink.h: multicast groups as bind() masks.
    public const uint RTMGRP_LINK = 0x1;
    public const uint RTMGRP_IPV4_IFADDR = 0x10;
    public const uint RTMGRP_IPV6_IFADDR = 0x100;

    // linux/if_addr.h: ifaddrmsg attributes.
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_CACHEINFO = 6;
    public const ushort IFA_FLAGS = 8;
    public const ushort IFA_PROTO = 11;

    // linux/if_addr.h: ifa_flags. An IPv6 address still in (or failed) duplicate address detection is not usable.
    public const byte IFA_F_NODAD = 0x02;
    public const byte IFA_F_DADFAILED = 0x08;
    public const byte IFA_F_TENTATIVE = 0x40;

    // linux/if_link.h: ifinfomsg attributes.
    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_OPERSTATE = 16;

    // linux/if.h: net_device_flags.
    public const uint IFF_UP = 0x1;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_LOWER_UP = 0x10000;

    public const int NlMsgHeaderLength = 16;
    public const int IfAddrMsgLength = 8;
    public const int IfInfoMsgLength = 16;
    public const int RtAttrHeaderLength = 4;

    /// <summary>Netlink and rtattr payloads are padded to 4 bytes (NLMSG_ALIGN / RTA_ALIGN).</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
