using System.Globalization;
using CloudCoreLb.L4Proxy.Forwarding.Native;

namespace CloudCoreLb.L4Proxy.Tests.Forwarding.Native;

public sealed class DescriptorBudgetTests
{
    [Fact]
    public void TheCeiling_IsTheReserveBelowTheProcesssSoftLimit()
    {
        // /proc/self/limits: "Max open files            1024                 1048576              files"
        var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var expected = soft == "unlimited" ? int.MaxValue : (int)Math.Min(int.MaxValue, long.Parse(soft, CultureInfo.InvariantCulture) - DescriptorBudget.Reserve);
        Assert.Equal(expected, DescriptorBudget.Ceiling());
    }

    [Fact]
    public void HasRoom_TellsWhetherTheLowestFreeDescriptorIsBelowTheCeiling()
    {
        using var file = File.OpenRead("/proc/self/limits");
        var fd = (int)file.SafeFileHandle.DangerousGetHandle();

        Assert.True(DescriptorBudget.HasRoom(fd, int.MaxValue));
        // Descriptors 0-2 are always taken, so the lowest free one is never below 3.
        Assert.False(DescriptorBudget.HasRoom(fd, 3));
        Assert.False(DescriptorBudget.HasRoom(-1, int.MaxValue));
    }
}
