namespace CloudCoreLb.Vrrp;

/// <summary>VRRPv2 authentication type (RFC 3768 §5.3.6).</summary>
public enum VrrpAuthType : byte
{
    /// <summary>No authentication; 8 zero bytes of auth data.</summary>
    None = 0,

    /// <summary>Simple text password (keepalived <c>auth_type PASS</c>).</summary>
    SimpleText = 1,

    /// <summary>IP Authentication Header; recognised on receive, never sent.</summary>
    IpAuthenticationHeader = 2,
}
