using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.L4Proxy.Handover;
using static Tmds.Linux.LibC;

namespace CloudCoreLb.Host.Tests.Handover;

public sealed class StateDescriptionTests
{
    private static readonly StateDescription Valid = new(
        StateDescription.CurrentFormat, "0.1.0", 2, DateTimeOffset.UnixEpoch, Stopwatch.Frequency, 3,
        new ProxyHandover([new ListenerHandover("fe", 0)], [], [new ServerHandover("be", "cc1", true)], []),
        new HandoverTotals(1, 0, 5, 5));

    [Fact]
    public void ADescriptionRoundTripsThroughASealedMemfd()
    {
        var fd = SealedStateFile.Create(JsonSerializer.SerializeToUtf8Bytes(Valid, StateJsonContext.Default.StateDescription));
        try
        {
            var parsed = TakeoverReceiver.Parse(SealedStateFile.Read(fd, 1 << 20));
            Assert.Equal(Valid.Generation, parsed.Generation);
            Assert.Equal("fe", parsed.Proxy!.Listeners.Single().Frontend);
            Assert.Equal(Valid.Totals, parsed.Totals);
        }
        finally
        {
            _ = close(fd);
        }
    }

    [Fact]
    public void AnUnknownFormat_IsRefusedWithBothVersionsNamed()
    {
        var json = JsonSerializer.Serialize(Valid with { Format = 99 }, StateJsonContext.Default.StateDescription);
        var ex = Assert.Throws<InvalidDataException>(() => TakeoverReceiver.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("state format 99 is unknown", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"formats {StateDescription.OldestFormat}-{StateDescription.CurrentFormat}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CarriedCounters_RoundTripThroughASealedMemfd()
    {
        var withCounters = Valid with { Counters = [new CarriedCounter("cloudcore_lb_frontend_connections_total", ["hub"], 42), new CarriedCounter("cloudcore_lb_sessions_recovered_total", [], 3)] };
        var fd = SealedStateFile.Create(JsonSerializer.SerializeToUtf8Bytes(withCounters, StateJsonContext.Default.StateDescription));
        try
        {
            var parsed = TakeoverReceiver.Parse(SealedStateFile.Read(fd, 1 << 20));
            Assert.Equal(2, parsed.Counters!.Count);
            Assert.Equal(["hub"], parsed.Counters[0].Labels);
            Assert.Equal(42, parsed.Counters[0].Value);
            Assert.Empty(parsed.Counters[1].Labels);
        }
        finally
        {
            _ = close(fd);
        }
    }

    [Fact]
    public void AFormatOneDescription_IsReadWithoutCounters()
    {
        var json = JsonSerializer.Serialize(Valid with { Format = 1 }, StateJsonContext.Default.StateDescription).Replace(",\"counters\":null", "", StringComparison.Ordinal);
        Assert.DoesNotContain("counters", json, StringComparison.Ordinal);

        var parsed = TakeoverReceiver.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(1, parsed.Format);
        Assert.Null(parsed.Counters);
    }

    [Theory]
    [InlineData(1, null, 1)]
    [InlineData(1, new[] { 1, 2 }, 2)]
    [InlineData(2, new[] { 1, 2 }, 2)]
    [InlineData(3, new[] { 2, 3 }, 2)]
    [InlineData(3, new[] { 3 }, null)]
    [InlineData(99, null, null)]
    public void TheOldProcess_WritesTheNewestFormatBothBuildsKnow(int format, int[]? formats, int? written)
    {
        Assert.Equal(written, StateDescription.Negotiate(new HandoverHello("9.9.9", format, 1, formats)));
    }

    [Theory]
    [InlineData("{}", "no format version")]
    [InlineData("{\"format\": 1, \"generation\": 0, \"timestamp_frequency\": 1000000000, \"descriptors\": 0}", "incomplete")]
    public void AnIncompleteDescription_IsRefused(string json, string reason)
    {
        var ex = Assert.ThrowsAny<Exception>(() => TakeoverReceiver.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.True(ex is InvalidDataException or JsonException);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedDescription_IsRefused()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(Valid, StateJsonContext.Default.StateDescription);
        Assert.ThrowsAny<JsonException>(() => TakeoverReceiver.Parse(bytes.AsSpan(0, bytes.Length / 2)));
    }

    [Fact]
    public void AnotherClock_IsRefused()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Valid with { TimestampFrequency = 1000 }, StateJsonContext.Default.StateDescription);
        var ex = Assert.Throws<InvalidDataException>(() => TakeoverReceiver.Parse(json));
        Assert.Contains("clock", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public unsafe void AnUnsealedMemfd_IsRefused()
    {
        int fd;
        fixed (byte* name = "unsealed\0"u8)
        {
            fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        }

        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => SealedStateFile.Read(fd, 1 << 20));
            Assert.Contains("not a sealed memfd", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            _ = close(fd);
        }
    }

    [Fact]
    public void ServerAdminStates_RoundTrip_AndAPreviousBuildsStateWithoutThem_ReadsAsReady()
    {
        var drained = Valid with { Proxy = Valid.Proxy! with { Servers = [new ServerHandover("be", "cc1", true, CloudCoreLb.L4Proxy.ServerAdminState.Drain)] } };
        var json = JsonSerializer.Serialize(drained, StateJsonContext.Default.StateDescription);
        var previous = json.Replace(",\"admin_state\":\"Drain\"", "", StringComparison.Ordinal);

        Assert.Equal(CloudCoreLb.L4Proxy.ServerAdminState.Drain, TakeoverReceiver.Parse(Encoding.UTF8.GetBytes(json)).Proxy!.Servers.Single().AdminState);
        Assert.NotEqual(json, previous);
        Assert.Equal(CloudCoreLb.L4Proxy.ServerAdminState.Ready, TakeoverReceiver.Parse(Encoding.UTF8.GetBytes(previous)).Proxy!.Servers.Single().AdminState);
    }
}
