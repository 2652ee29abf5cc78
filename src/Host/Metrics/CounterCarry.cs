using CloudCoreLb.Host.Handover;
using Prometheus;

namespace CloudCoreLb.Host.Metrics;

/// <summary>
/// Prometheus counters across an upgrade (docs/design/upgrade.md): the old process puts what it exposes into the
/// state description, the new one adds its own counts to those values, so a rate() over the upgrade sees no reset.
/// The components' counters themselves start at zero in every process; only what metrics expose is carried.
/// </summary>
internal sealed class CounterCarry
{
    private volatile Dictionary<string, double> _baseline = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<CarriedCounter> _entries = [];
    private volatile Func<IReadOnlyList<CarriedCounter>>? _source;

    /// <summary>The series carried in, as the previous process exposed them; set before this process serves metrics.</summary>
    public IReadOnlyList<CarriedCounter> Entries => _entries;

    /// <summary>Takes the previous process's values as the base of this process's counts.</summary>
    public void Restore(IReadOnlyList<CarriedCounter>? counters)
    {
        var baseline = new Dictionary<string, double>(StringComparer.Ordinal);
        var entries = new List<CarriedCounter>();
        foreach (var c in counters ?? [])
        {
            // A negative or non-finite value cannot come from a counter: a corrupt entry counts from zero.
            if (c?.Name is not null && c.Labels is not null && !c.Labels.Contains(null) && double.IsFinite(c.Value) && c.Value > 0
                && baseline.TryAdd(Key(c.Name, c.Labels), c.Value))
            {
                entries.Add(c);
            }
        }

        _baseline = baseline;
        _entries = entries;
    }

    /// <summary>What the previous processes counted for this series (0 when nothing was carried).</summary>
    public double Baseline(string name, string[] labels) =>
        _baseline.Count == 0 ? 0 : _baseline.GetValueOrDefault(Key(name, labels));

    /// <summary>Exposes <paramref name="value"/>, this process's count of a series, on top of its carried value.</summary>
    public void Count(Counter counter, double value, params string[] labels)
    {
        ArgumentNullException.ThrowIfNull(counter);
        var total = value + Baseline(counter.Name, labels);
        if (labels.Length == 0)
        {
            counter.IncTo(total);
        }
        else
        {
            counter.WithLabels(labels).IncTo(total);
        }
    }

    /// <summary>
    /// Exposes every carried series of <paramref name="counters"/> at least at its carried value: one this process
    /// has not counted yet (a transition, a refusal reason) would otherwise vanish, which a rate() reads as a reset.
    /// </summary>
    public void ExposeCarried(IEnumerable<Counter> counters)
    {
        if (_entries.Count == 0)
        {
            return;
        }

        var byName = counters.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var entry in _entries)
        {
            if (byName.TryGetValue(entry.Name, out var counter) && entry.Labels.Length == counter.LabelNames.Length)
            {
                Count(counter, 0, entry.Labels);
            }
        }
    }

    /// <summary>The exporter says how to read its counters; until then there is nothing to carry.</summary>
    public void SetSource(Func<IReadOnlyList<CarriedCounter>> source) => _source = source;

    /// <summary>Every carried counter's value now, for the successor.</summary>
    public IReadOnlyList<CarriedCounter> Snapshot() => _source?.Invoke() ?? [];

    /// <summary>Every series of <paramref name="counters"/> with a value, as exposed now.</summary>
    public static IReadOnlyList<CarriedCounter> Read(IEnumerable<Counter> counters)
    {
        var result = new List<CarriedCounter>();
        foreach (var counter in counters)
        {
            if (counter.LabelNames.Length == 0)
            {
                if (counter.Value > 0)
                {
                    result.Add(new CarriedCounter(counter.Name, [], counter.Value));
                }

                continue;
            }

            foreach (var labels in counter.GetAllLabelValues())
            {
                var value = counter.WithLabels(labels).Value;
                if (value > 0)
                {
                    result.Add(new CarriedCounter(counter.Name, labels, value));
                }
            }
        }

        return result;
    }

    // Label values are free text (frontend names); a separator no configuration name can hold keeps keys apart.
    private static string Key(string name, string[] labels) => string.Join('\0', [name, .. labels]);
}
