using CloudCoreLb.Vrrp.Diagnostics;

namespace CloudCoreLb.Vrrp.Router;

// Side effects on the seams. Each is isolated: a failing send, netlink call or GARP is logged and the state
// machine carries on, because stalling it would be worse (a master that stops advertising loses the VIP anyway).
internal sealed partial class VrrpRouter
{
    private long _lastAdvertTimestamp;

    /// <summary>When the last advert with a non-zero priority went out; 0 before the first.</summary>
    public long LastAdvertTimestamp => Volatile.Read(ref _lastAdvertTimestamp);

    private void SendAdvert(byte priority)
    {
        SetAdvertPriority(priority);
        try
        {
            _transport.Send(_advert);
            Counters.AdvertSent(priority);
            if (priority != Protocol.VrrpAdvertisement.PriorityRelease)
            {
                Volatile.Write(ref _lastAdvertTimestamp, _time.GetTimestamp());
            }
        }
        catch (Exception ex)
        {
            VrrpLog.SendFailed(_logger, _options.Name, ex);
        }
    }

    /// <summary>Leased VIPs (crash recovery) live one lease past each advert.</summary>
    private void RenewAddresses()
    {
        if (_options.VipLifetime is null)
        {
            return;
        }

        foreach (var vip in _addresses)
        {
            try
            {
                _vips.Renew(vip);
            }
            catch (Exception ex)
            {
                VrrpLog.AddressOperationFailed(_logger, _options.Name, "renew", vip, ex);
            }
        }
    }

    private void AddAddresses()
    {
        foreach (var vip in _addresses)
        {
            try
            {
                _vips.Add(vip);
            }
            catch (Exception ex)
            {
                VrrpLog.AddressOperationFailed(_logger, _options.Name, "add", vip, ex);
            }
        }
    }

    private void RemoveAddresses()
    {
        foreach (var vip in _addresses)
        {
            try
            {
                _vips.Remove(vip);
            }
            catch (Exception ex)
            {
                VrrpLog.AddressOperationFailed(_logger, _options.Name, "removal", vip, ex);
            }
        }
    }

    private bool AnyAddressPresent()
    {
        foreach (var vip in _addresses)
        {
            try
            {
                if (_vips.IsPresent(vip))
                {
                    return true;
                }
            }
            catch (Exception ex)
            {
                VrrpLog.AddressOperationFailed(_logger, _options.Name, "lookup", vip, ex);
            }
        }

        return false;
    }

    private void SendGarpBurst(int repeat)
    {
        for (var i = 0; i < repeat; i++)
        {
            foreach (var vip in _addresses)
            {
                try
                {
                    _garp.Send(vip.Address);
                    Counters.Garp();
                }
                catch (Exception ex)
                {
                    VrrpLog.GarpFailed(_logger, _options.Name, vip.Address, ex);
                }
            }
        }
    }
}
