using System.Diagnostics;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// Samples every 50 ms which lab nodes hold the VIP and keeps the timeline, so a test can ask when the VIP moved and
/// for how long two nodes held it at once.
/// </summary>
internal sealed class VipSampler : IDisposable
{
    private readonly IReadOnlyList<LabNode> _nodes;
    private readonly string _vip;
    private readonly string _device;
    private readonly List<(TimeSpan At, int[] Holders)> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Thread _thread;
    private volatile bool _stop;

    public VipSampler(IReadOnlyList<LabNode> nodes, string vip = NetnsLab.Vip, string device = "eth0")
    {
        _nodes = nodes;
        _vip = vip;
        _device = device;
        _thread = new Thread(Loop) { IsBackground = true, Name = "vip-sampler" };
        _thread.Start();
    }

    public TimeSpan Now => _clock.Elapsed;

    private void Loop()
    {
        while (!_stop)
        {
            var started = _clock.Elapsed;
            var holders = _nodes.Where(n => NetnsLab.HasAddress(n, _vip, _device)).Select(n => n.Index).ToArray();
            lock (_samples)
            {
                _samples.Add((started, holders));
            }

            var spent = _clock.Elapsed - started;
            if (spent < TimeSpan.FromMilliseconds(50))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(50) - spent);
            }
        }
    }

    /// <summary>The holders in the latest sample.</summary>
    public int[] Current
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count == 0 ? [] : _samples[^1].Holders;
            }
        }
    }

    /// <summary>Waits until exactly <paramref name="nodeIndex"/> holds the VIP (and nobody else); returns when that was first sampled.</summary>
    public TimeSpan? WaitForSoleHolder(int nodeIndex, TimeSpan after, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            lock (_samples)
            {
                foreach (var (at, holders) in _samples)
                {
                    if (at >= after && holders.Length == 1 && holders[0] == nodeIndex)
                    {
                        return at;
                    }
                }
            }

            Thread.Sleep(25);
        }

        return null;
    }

    /// <summary>Waits until <paramref name="nodeIndex"/> holds the VIP (others may too); returns when that was first sampled.</summary>
    public TimeSpan? WaitForHolder(int nodeIndex, TimeSpan after, TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (_clock.Elapsed < deadline)
        {
            lock (_samples)
            {
                foreach (var (at, holders) in _samples)
                {
                    if (at >= after && holders.Contains(nodeIndex))
                    {
                        return at;
                    }
                }
            }

            Thread.Sleep(25);
        }

        return null;
    }

    /// <summary>When <paramref name="nodeIndex"/> was first sampled without the VIP, from <paramref name="after"/> on.</summary>
    public TimeSpan? FirstSampleWithout(int nodeIndex, TimeSpan after)
    {
        lock (_samples)
        {
            foreach (var (at, holders) in _samples)
            {
                if (at >= after && !holders.Contains(nodeIndex))
                {
                    return at;
                }
            }

            return null;
        }
    }

    /// <summary>The longest stretch of consecutive samples with two or more holders, from <paramref name="after"/> on.</summary>
    public TimeSpan LongestMultipleHolders(TimeSpan after)
    {
        lock (_samples)
        {
            var longest = TimeSpan.Zero;
            TimeSpan? start = null;
            foreach (var (at, holders) in _samples)
            {
                if (at < after)
                {
                    continue;
                }

                if (holders.Length > 1)
                {
                    start ??= at;
                    longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, (at - start.Value).Ticks + TimeSpan.FromMilliseconds(50).Ticks));
                }
                else
                {
                    start = null;
                }
            }

            return longest;
        }
    }

    /// <summary>A compact dump of the timeline for failure messages.</summary>
    public string Describe()
    {
        lock (_samples)
        {
            var lines = new List<string>();
            int[]? last = null;
            foreach (var (at, holders) in _samples)
            {
                if (last is null || !last.SequenceEqual(holders))
                {
                    lines.Add($"{at.TotalSeconds:F3}s holders=[{string.Join(',', holders)}]");
                    last = holders;
                }
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
