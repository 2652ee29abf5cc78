using System.Diagnostics;
using System.Globalization;

namespace CloudCoreLb.Integration.Tests.Lab;

/// <summary>
/// Keeps the timeline of which lab nodes hold the VIP, so a test can ask when the VIP moved and for how long two nodes
/// held it at once. The timeline comes from rtnetlink address events (<c>Lab/vip_monitor.py</c>, one process for every
/// node), stamped on the monotonic clock as they are read: a change is placed within milliseconds of when it
/// happened however loaded the machine is, and watching costs nothing between changes (polling with <c>ip addr</c>
/// every 50 ms ran a process per node per sample and lagged by whole samples under load).
/// </summary>
internal sealed class VipSampler : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<LabNode> _nodes;
    private readonly List<(TimeSpan At, int[] Holders)> _changes = [];
    private readonly HashSet<int> _holders = [];
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly DateTime _originLocal = DateTime.Now;
    private readonly Process _monitor;
    private readonly List<string> _errors = [];
    private readonly TaskCompletionSource<TimeSpan> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public VipSampler(IReadOnlyList<LabNode> nodes, string vip = NetnsLab.Vip, string device = "eth0")
    {
        _nodes = nodes;
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Lab", "vip_monitor.py"), vip, device }.Concat(nodes.Select(n => n.Netns)))
        {
            psi.ArgumentList.Add(a);
        }

        _monitor = Process.Start(psi) ?? throw new InvalidOperationException("cannot start vip_monitor.py");
        _monitor.OutputDataReceived += (_, e) => OnLine(e.Data);
        _monitor.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.Add(e.Data);
                }
            }
        };
        _monitor.BeginOutputReadLine();
        _monitor.BeginErrorReadLine();
        if (!_ready.Task.Wait(s_startTimeout))
        {
            Dispose();
            throw new InvalidOperationException($"vip_monitor.py did not report ready within {s_startTimeout.TotalSeconds} s: {Errors}");
        }

        // Its timestamps are only comparable with ours if both read the same clock.
        if (_ready.Task.Result < TimeSpan.Zero || _ready.Task.Result > Now)
        {
            Dispose();
            throw new InvalidOperationException($"vip_monitor.py's CLOCK_MONOTONIC is not the Stopwatch's: ready at {_ready.Task.Result}, now {Now}");
        }
    }

    private string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    /// <summary>Time on the sampler's clock (zero when it was created).</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_origin);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        var fields = line.Split(' ');
        if (fields[0] == "ready")
        {
            lock (_changes)
            {
                // Changes before this are the state the sampler started from.
                _changes.Add((TimeSpan.Zero, [.. _holders.Order()]));
            }

            _ready.TrySetResult(ToSamplerTime(fields[1]));
            return;
        }

        var node = _nodes[int.Parse(fields[0], CultureInfo.InvariantCulture)].Index;
        var at = ToSamplerTime(fields[1]);
        lock (_changes)
        {
            if (fields[2] == "add")
            {
                _holders.Add(node);
            }
            else
            {
                _holders.Remove(node);
            }

            if (_ready.Task.IsCompleted)
            {
                _changes.Add((at < TimeSpan.Zero ? TimeSpan.Zero : at, [.. _holders.Order()]));
            }
        }
    }

    private TimeSpan ToSamplerTime(string nanoseconds) => FromMonotonic(long.Parse(nanoseconds, CultureInfo.InvariantCulture));

    /// <summary>A CLOCK_MONOTONIC time in nanoseconds (what a lab script reports) on the sampler's clock.</summary>
    public TimeSpan FromMonotonic(long nanoseconds) =>
        Stopwatch.GetElapsedTime(_origin, (long)(nanoseconds * (Stopwatch.Frequency / 1e9)));

    /// <summary>
    /// A local time (a daemon's log stamp, <see cref="LabProcess.Signal"/>'s return) on the sampler's clock: the two
    /// clocks were read together at the start, and a test is too short for them to drift apart measurably.
    /// </summary>
    public TimeSpan FromLocal(DateTime local) => local - _originLocal;

    /// <summary>The current holders.</summary>
    public int[] Current
    {
        get
        {
            lock (_changes)
            {
                return _changes.Count == 0 ? [] : _changes[^1].Holders;
            }
        }
    }

    /// <summary>Waits until exactly <paramref name="nodeIndex"/> holds the VIP (and nobody else); returns when that began (at the earliest <paramref name="after"/>).</summary>
    public TimeSpan? WaitForSoleHolder(int nodeIndex, TimeSpan after, TimeSpan timeout) =>
        WaitFor(h => h.Length == 1 && h[0] == nodeIndex, after, timeout);

    /// <summary>
    /// Waits until exactly <paramref name="nodeIndex"/> holds the VIP and returns when that began; fails with the
    /// timeline and the state and output of <paramref name="watched"/> (the daemons that should have got there).
    /// </summary>
    public TimeSpan RequireSoleHolder(int nodeIndex, TimeSpan after, TimeSpan timeout, params LabProcess[] watched) =>
        WaitForSoleHolder(nodeIndex, after, timeout)
            ?? throw new Xunit.Sdk.XunitException($"node{nodeIndex} was not the sole VIP holder within {timeout.TotalSeconds} s:\n{Describe()}\n{string.Join('\n', watched.Select(p => p.Describe()))}");

    /// <summary>Waits until <paramref name="nodeIndex"/> holds the VIP (others may too); returns when that began (at the earliest <paramref name="after"/>).</summary>
    public TimeSpan? WaitForHolder(int nodeIndex, TimeSpan after, TimeSpan timeout) =>
        WaitFor(h => h.Contains(nodeIndex), after, timeout);

    /// <summary>When <paramref name="nodeIndex"/> first did not hold the VIP, from <paramref name="after"/> on.</summary>
    public TimeSpan? FirstSampleWithout(int nodeIndex, TimeSpan after) => First(h => !h.Contains(nodeIndex), after);

    private TimeSpan? WaitFor(Func<int[], bool> holds, TimeSpan after, TimeSpan timeout)
    {
        var deadline = Now + timeout;
        while (true)
        {
            if (First(holds, after) is { } at)
            {
                return at;
            }

            if (Now > deadline)
            {
                return null;
            }

            if (_monitor.HasExited)
            {
                throw new InvalidOperationException($"vip_monitor.py exited {_monitor.ExitCode}: {Errors}");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>The first moment at or after <paramref name="after"/> when the holders satisfied <paramref name="holds"/>.</summary>
    private TimeSpan? First(Func<int[], bool> holds, TimeSpan after)
    {
        lock (_changes)
        {
            for (var i = 0; i < _changes.Count; i++)
            {
                var ends = i + 1 < _changes.Count ? _changes[i + 1].At : TimeSpan.MaxValue;
                if (ends > after && holds(_changes[i].Holders))
                {
                    return _changes[i].At > after ? _changes[i].At : after;
                }
            }

            return null;
        }
    }

    /// <summary>The longest stretch with two or more holders, from <paramref name="after"/> on (one still going counts until now).</summary>
    public TimeSpan LongestMultipleHolders(TimeSpan after) => Longest(h => h.Length > 1, after);

    /// <summary>The longest stretch with nobody holding the VIP, from <paramref name="after"/> on (one still going counts until now).</summary>
    public TimeSpan LongestWithoutHolder(TimeSpan after) => Longest(h => h.Length == 0, after);

    /// <summary>
    /// How often the VIP moved from <paramref name="after"/> on: a node gaining it that is not the node that gained
    /// it last. The VIP leaving a node and coming back to the same node is no move (edges stay on that node).
    /// </summary>
    public int Moves(TimeSpan after)
    {
        lock (_changes)
        {
            int? last = null;
            int[] previous = [];
            var moves = 0;
            foreach (var (at, holders) in _changes)
            {
                foreach (var gained in holders.Except(previous))
                {
                    if (last is { } l && l != gained && at > after)
                    {
                        moves++;
                    }

                    last = gained;
                }

                previous = holders;
            }

            return moves;
        }
    }

    private TimeSpan Longest(Func<int[], bool> holds, TimeSpan after)
    {
        var now = Now;
        lock (_changes)
        {
            var longest = TimeSpan.Zero;
            TimeSpan? start = null;
            for (var i = 0; i <= _changes.Count; i++)
            {
                if (i < _changes.Count && holds(_changes[i].Holders))
                {
                    start ??= _changes[i].At > after ? _changes[i].At : after;
                    continue;
                }

                if (start is { } s)
                {
                    var end = i < _changes.Count ? _changes[i].At : now;
                    if (end > s)
                    {
                        longest = end - s > longest ? end - s : longest;
                    }

                    start = null;
                }
            }

            return longest;
        }
    }

    /// <summary>A compact dump of the timeline for failure messages.</summary>
    public string Describe()
    {
        lock (_changes)
        {
            return string.Join(Environment.NewLine, _changes.Select(c => $"{c.At.TotalSeconds:F3}s holders=[{string.Join(',', c.Holders)}]"));
        }
    }

    public void Dispose()
    {
        try
        {
            _monitor.StandardInput.Close();
            if (!_monitor.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _monitor.Kill();
                _monitor.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // Already gone.
        }

        _monitor.Dispose();
    }
}
