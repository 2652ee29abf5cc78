using CloudCoreLb.Integration.Tests.Lab;
using Xunit.Abstractions;

namespace CloudCoreLb.Integration.Tests.Health;

/// <summary>
/// keepalived with the seed's keepalived.conf and health script settings (interval 2, weight -5, fall 3, rise 5) in the
/// same lab as <see cref="HealthFailoverTests"/>: how long after CloudCore stops on the master the VIP moves. Run with
/// <c>benchmarks/failover.sh</c> (excluded from the default test run).
/// </summary>
[Trait("Category", "Measure")]
public sealed class HealthMeasurementTests(ITestOutputHelper output)
{
    [RootFact]
    public void MeasureKeepalivedSeedHealthFailover()
    {
        var times = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            using var lab = NetnsLab.Create(3);
            var script = lab.WriteFile("health_check.sh", "#!/bin/sh\n[ -n \"$(ss -Hltn 'sport = :10000')\" ]\n");
            File.SetUnixFileMode(script, (UnixFileMode)0x1ED);
            var cloudcores = lab.Nodes.Select(n => LabConfigs.StartCloudCore(lab, n)).ToArray();
            Assert.All(cloudcores, c => Assert.True(c.WaitForOutput("listening", TimeSpan.FromSeconds(10))));
            using var sampler = new VipSampler(lab.Nodes);
            foreach (var n in lab.Nodes)
            {
                lab.StartKeepalived(n, lab.WriteFile($"keepalived-{n.Name}.conf",
                    LabConfigs.SeedKeepalived(n.Index == 1 ? "MASTER" : "BACKUP", 101 - n.Index, script, $"lb0{n.Index}")));
            }

            Assert.NotNull(sampler.WaitForSoleHolder(1, TimeSpan.Zero, TimeSpan.FromSeconds(20)));
            Thread.Sleep(3000);
            var (failover, _, _) = Vrrp.FailoverTimeline.Measure(sampler, 2, () => cloudcores[0].Signal(9), TimeSpan.FromSeconds(20), TimeSpan.Zero);
            times.Add(failover.TotalMilliseconds);
        }

        output.WriteLine($"keepalived | seed health script (interval 2, weight -5, fall 3, rise 5) | {string.Join(" ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.All(times, t => Assert.InRange(t, 3000, 15000));
    }
}
