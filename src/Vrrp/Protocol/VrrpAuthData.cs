using System.Text;

namespace CloudCoreLb.Vrrp.Protocol;

/// <summary>The 8 authentication bytes of a VRRPv2 advert (RFC 3768 §5.3.10, docs/design/vrrp.md §1.2).</summary>
internal static class VrrpAuthData
{
    /// <summary>
    /// PASS: the first 8 bytes of the UTF-8 password, zero-padded (RFC 3768 §5.3.6.1; keepalived truncates longer
    /// passwords with a config error). Anything else: 8 zero bytes.
    /// </summary>
    public static byte[] Create(VrrpAuthType authType, string? password)
    {
        var data = new byte[VrrpAdvertisement.AuthDataLength];
        if (authType == VrrpAuthType.SimpleText && !string.IsNullOrEmpty(password))
        {
            var bytes = Encoding.UTF8.GetBytes(password);
            bytes.AsSpan(0, Math.Min(bytes.Length, data.Length)).CopyTo(data);
        }

        return data;
    }
}
