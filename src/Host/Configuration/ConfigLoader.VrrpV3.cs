using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace CloudCoreLb.Host.Configuration;

// VRRPv3 keys of an instance: version, accept_mode, and advert_int written as keepalived writes it.
internal static partial class ConfigLoader
{
    /// <summary>
    /// <c>advert_int</c> as a duration (<c>100ms</c>, <c>1s</c>) or, in a <c>version: 3</c> instance, also as keepalived
    /// writes it, a bare number of seconds (<c>1</c>, <c>0.1</c>); version 2 keeps the one duration syntax of the file.
    /// Whether a fraction is allowed is the validator's rule (VRRPv3 only), reported at this key.
    /// </summary>
    private static TimeSpan? ReadAdvertInterval(YamlReader r, YamlMappingNode map, string path, int version)
    {
        const string key = "advert_int";
        if (version == 3 && YamlReader.Get(map, key) is YamlScalarNode { Value: { } text }
            && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        return r.Duration(map, path, key);
    }

    private static int? ReadVersion(YamlReader r, YamlMappingNode map, string path) => r.Int(map, path, "version", 2, 3);
}
