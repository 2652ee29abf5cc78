namespace CloudCoreLb.Vrrp;

/// <summary>
/// Adds and removes virtual addresses on an interface (rtnetlink RTM_NEWADDR / RTM_DELADDR in production).
/// Both operations are idempotent: EEXIST on add and EADDRNOTAVAIL on delete count as success, as in keepalived.
/// </summary>
internal interface IVipManager
{
    /// <summary>Adds the address, marked as ours (IFA_PROTO) so a leftover after a crash is recognised.</summary>
    void Add(VirtualAddress address);

    /// <summary>
    /// Renews the address's lifetime when the VIPs are leased (<see cref="VrrpInstanceOptions.VipLifetime"/>), adding
    /// it again if the kernel let it expire; nothing otherwise.
    /// </summary>
    void Renew(VirtualAddress address)
    {
    }

    /// <summary>Removes the address if present.</summary>
    void Remove(VirtualAddress address);

    /// <summary>True when the address is currently configured on the interface.</summary>
    bool IsPresent(VirtualAddress address);
}
