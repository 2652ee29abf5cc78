using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Vrrp;

/// <summary>Log messages of <see cref="VrrpInstance"/> (event ids 1400-1419).</summary>
internal static partial class VrrpInstanceLog
{
    [LoggerMessage(EventId = 1400, EventName = "VrrpReceiveFailed", Level = LogLevel.Error, Message = "{Instance}: receiving adverts failed; retrying")]
    public static partial void ReceiveFailed(ILogger logger, string instance, Exception exception);
}
