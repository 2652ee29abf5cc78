using System.Globalization;
using CloudCoreLb.Integration.Tests.Lab;

namespace CloudCoreLb.Integration.Tests.Faults;

/// <summary>A VRRP advert or a gratuitous ARP seen on one port of the lab's switch.</summary>
/// <param name="At">Local time of the capture (compares with daemon log lines).</param>
/// <param name="Port">The node index of the switch port (<c>v1</c> is node1).</param>
/// <param name="Sent">True when the frame came in from the node (it sent it), false when the switch forwarded it out to the node.</param>
/// <param name="Priority">The advert's priority, or null for a GARP.</param>
internal sealed record SegmentFrame(DateTime At, int Port, bool Sent, int? Priority)
{
    public bool IsAdvert => Priority is not null;
}

/// <summary>
/// tcpdump on every port of the lab's switch (<c>-i any</c> in the switch namespace): what each node sent, and what the
/// switch delivered to each node, which is what a drop rule in the switch's bridge filter changes. Stamped with the
/// capture's wall-clock time, the clock every daemon's log lines use too. The lab stops tcpdump with its other processes.
/// </summary>
internal sealed class SegmentCapture
{
    private readonly LabProcess _tcpdump;

    public SegmentCapture(NetnsLab lab)
    {
        _tcpdump = lab.Start(new LabNode(0, lab.SwitchNetns, ""), "tcpdump@switch", "tcpdump",
            "-i", "any", "-nn", "-tt", "-l", "-Q", "inout", $"vrrp or (arp and host {NetnsLab.Vip})");
        if (!_tcpdump.WaitForOutput("listening on any", TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"tcpdump did not start:\n{_tcpdump.Output}");
        }
    }

    /// <summary>The capture's lines that contain <paramref name="text"/>, for failure messages.</summary>
    public string Lines(string text) => string.Join('\n', _tcpdump.Output.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal)));

    /// <summary>Every frame captured so far on the node ports (the bridge's own interface is left out).</summary>
    public IReadOnlyList<SegmentFrame> Frames
    {
        get
        {
            var list = new List<SegmentFrame>();
            foreach (var line in _tcpdump.Output.Split('\n'))
            {
                if (Parse(line) is { } frame)
                {
                    list.Add(frame);
                }
            }

            return list;
        }
    }

    /// <summary>Adverts <paramref name="node"/> sent from <paramref name="after"/> on (before the switch filtered anything).</summary>
    public IReadOnlyList<SegmentFrame> AdvertsSent(int node, DateTime after) =>
        [.. Frames.Where(f => f.IsAdvert && f.Sent && f.Port == node && f.At >= after)];

    /// <summary>Gratuitous ARPs for the VIP <paramref name="node"/> sent from <paramref name="after"/> on.</summary>
    public IReadOnlyList<SegmentFrame> GarpsSent(int node, DateTime after) =>
        [.. Frames.Where(f => !f.IsAdvert && f.Sent && f.Port == node && f.At >= after)];

    /// <summary>Gratuitous ARPs for the VIP the switch delivered to <paramref name="node"/> from <paramref name="after"/> on.</summary>
    public IReadOnlyList<SegmentFrame> GarpsDelivered(int node, DateTime after) =>
        [.. Frames.Where(f => !f.IsAdvert && !f.Sent && f.Port == node && f.At >= after)];

    /// <summary>Adverts the switch delivered to <paramref name="node"/> from <paramref name="after"/> on.</summary>
    public IReadOnlyList<SegmentFrame> AdvertsDelivered(int node, DateTime after) =>
        [.. Frames.Where(f => f.IsAdvert && !f.Sent && f.Port == node && f.At >= after)];

    /// <summary>
    /// One line of <c>tcpdump -i any -tt</c>: epoch seconds, interface, direction (Out, or In/M/B for received), then
    /// the decoded frame (<c>IP a > 224.0.0.19: VRRPv2, Advertisement, vrid 167, prio 100, ...</c> or
    /// <c>ARP, Request who-has VIP tell VIP</c>).
    /// </summary>
    private static SegmentFrame? Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 5 || f[1].Length < 2 || f[1][0] != 'v'
            || !int.TryParse(f[1].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var epoch))
        {
            return null;
        }

        var at = DateTime.UnixEpoch.AddTicks((long)(epoch * TimeSpan.TicksPerSecond)).ToLocalTime();
        var sent = f[2] != "Out";
        var prio = Array.IndexOf(f, "prio");
        if (line.Contains("VRRPv2, Advertisement", StringComparison.Ordinal) && prio > 0
            && int.TryParse(f[prio + 1].TrimEnd(','), NumberStyles.None, CultureInfo.InvariantCulture, out var priority))
        {
            return new SegmentFrame(at, port, sent, priority);
        }

        // A GARP asks for the VIP on behalf of the VIP (tcpdump adds the target MAC in brackets when it is not zero).
        return line.Contains($"who-has {NetnsLab.Vip} ", StringComparison.Ordinal) && line.Contains($"tell {NetnsLab.Vip},", StringComparison.Ordinal)
            ? new SegmentFrame(at, port, sent, null)
            : null;
    }
}
