using System.Net;
using CloudCoreLb.Vrrp.Diagnostics;
using CloudCoreLb.Vrrp.Protocol;

namespace CloudCoreLb.Vrrp.Router;

internal sealed partial class VrrpRouter
{
    // keepalived rate-limits error logs per kind and re-arms them on a state change (docs/design/vrrp.md §3, RFC 9568).
    private static readonly TimeSpan s_dropLogInterval = TimeSpan.FromMinutes(1);

    private readonly TimeSpan?[] _dropLogTimes;

    private void ReceiveLocked(ReadOnlySpan<byte> datagram, IPAddress destination)
    {
        if (_v3Validator is not null)
        {
            ReceiveV3Locked(datagram, destination);
            return;
        }

        var reason = _validator!.Validate(datagram, destination, out var ip, out var advert);
        Deliver(reason, ip.Source, advert.VirtualRouterId, advert.Priority, advert.AddressCount, advert.AuthType,
            TimeSpan.FromSeconds(advert.AdvertIntervalSeconds), adoptInterval: false);
    }

    /// <summary>
    /// What happens to a validated advert of either version: counted and dropped, or fed to the state machine.
    /// <paramref name="adoptInterval"/> is VRRPv3's §6.4.2 (a backup takes the master's advertised interval).
    /// </summary>
    private void Deliver(VrrpDropReason reason, UInt128 source, byte virtualRouterId, byte priority, byte addressCount, byte authType,
        TimeSpan advertisedInterval, bool adoptInterval)
    {
        if (reason == VrrpDropReason.UnknownVirtualRouterId)
        {
            // Several instances can share one socket; another VRID is not an error (keepalived row 1).
            Counters.Dropped(reason);
            VrrpLog.UnknownVirtualRouterId(_logger, _options.Name, virtualRouterId);
            return;
        }

        if (_state is VrrpState.Initialize or VrrpState.Fault)
        {
            Counters.Dropped(VrrpDropReason.NotListening);
            return;
        }

        if (reason != VrrpDropReason.None)
        {
            Counters.Dropped(reason);
            OnDropped(reason, source, addressCount, authType, advertisedInterval);
            return;
        }

        Counters.AdvertReceived(priority);
        if (_configurationFault is not null && source == _configurationFaultSource)
        {
            _configurationFault = null;
            VrrpLog.ConfigurationFaultCleared(_logger, _options.Name, AddressOf(source));
        }

        TimeSpan? adopted = adoptInterval ? advertisedInterval : null;
        if (_state == VrrpState.Backup)
        {
            BackupReceive(source, priority, adopted);
        }
        else
        {
            MasterReceive(source, priority, adopted);
        }
    }

    /// <summary>RFC 3768 §6.4.2 and keepalived <c>vrrp_state_backup</c> (docs/design/vrrp.md §5.2).</summary>
    private void BackupReceive(UInt128 sender, byte priority, TimeSpan? advertisedInterval = null)
    {
        var ours = _effectivePriority;
        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            // The master released the router: take over after Skew_Time only.
            _masterReleased = true;
            VrrpLog.PriorityZeroReceived(_logger, _options.Name, AddressOf(sender));
            _masterDownTimer.Arm(SkewTime(ours));
            return;
        }

        bool accept;
        if (!_options.Preempt || priority >= ours)
        {
            // Equal priority is always accepted in Backup, whatever the addresses (keepalived).
            accept = true;
            _preemptDelayStart = null;
        }
        else if (_options.PreemptDelay > TimeSpan.Zero)
        {
            // The first lower-priority advert starts the preempt_delay clock; lower adverts are accepted until it ends.
            _preemptDelayStart ??= Now;
            accept = Now - _preemptDelayStart.Value < _options.PreemptDelay;
        }
        else
        {
            accept = false;
        }

        if (!accept)
        {
            // Not resetting the timer is what makes a higher-priority backup preempt after the master-down interval.
            VrrpLog.LowerPriorityDiscarded(_logger, _options.Name, priority, AddressOf(sender), ours);
            return;
        }

        _masterReleased = false;
        RecordMaster(sender, priority);
        AdoptMasterInterval(advertisedInterval);
        _masterDownTimer.Arm(MasterDownInterval(ours));
        SyncWantsBackup();

        // A leftover VIP is only ours to keep while we may still become master: once we accept a master we will not
        // preempt (higher or equal priority, or nopreempt), two holders would fight over ARP, so release it now.
        if (_holdingLeftoverAddresses && !(_options.Preempt && priority < ours))
        {
            _holdingLeftoverAddresses = false;
            RemoveAddresses();
            VrrpLog.LeftoverAddressesRemoved(_logger, _options.Name, AddressOf(sender), priority);
        }
    }

    /// <summary>RFC 3768 §6.4.3 and keepalived <c>vrrp_state_master_rx</c> (docs/design/vrrp.md §5.3).</summary>
    private void MasterReceive(UInt128 sender, byte priority, TimeSpan? advertisedInterval = null)
    {
        if (TryCompleteHandover(sender, priority))
        {
            return;
        }

        var ours = _effectivePriority;
        if (priority == VrrpAdvertisement.PriorityRelease)
        {
            // Another master released the router: re-assert at once so its backups do not wait for our next advert.
            SendAdvert(ours);
            return;
        }

        if (priority > ours || (priority == ours && sender > _source))
        {
            // A step-down notice: after a partition heals, the winner only re-GARPs if it hears our priority, and when its
            // advert reached us first it never would; the hosts on our side would then keep our MAC for the VIP until
            // their ARP entries age out. One advert at our priority, sent while we still hold the VIP, makes the winner
            // run the forced election (below) and re-claim the address; after a plain preemption that costs one burst.
            if (_options.HigherPrioritySendAdvert)
            {
                SendAdvert(ours);
            }

            RecordMaster(sender, priority);
            AdoptMasterInterval(advertisedInterval);
            EnterBackup(VrrpTransitionReason.HigherPriorityAdvert, $"advert from {AddressOf(sender)} with priority {priority}, ours {ours}");
            return;
        }

        // Split-brain healing: the winner re-asserts and re-GARPs so the loser steps down and switches learn the MAC
        // again (keepalived #160/#166).
        VrrpLog.ForcingNewElection(_logger, _options.Name, AddressOf(sender), priority, ours);
        SendAdvert(ours);
        SendGarpBurst(_options.GarpLowerPriorityRepeat);
        if (_options.GarpLowerPriorityDelay > TimeSpan.Zero && _options.GarpLowerPriorityRepeat > 0)
        {
            _lowerPriorityGarpTimer.Arm(_options.GarpLowerPriorityDelay);
        }
    }

    private void RecordMaster(UInt128 address, byte priority)
    {
        if (_lastMasterAddress is null || address != _lastMaster)
        {
            _lastMaster = address;
            _lastMasterAddress = AddressOf(address);
        }

        _lastMasterPriority = priority;
    }

    private IPAddress AddressOf(UInt128 key) => RouterAddressKey.ToAddress(key, _family);

    private void OnDropped(VrrpDropReason reason, UInt128 source, byte addressCount, byte authType, TimeSpan advertisedInterval)
    {
        var fault = reason switch
        {
            VrrpDropReason.AdvertIntervalMismatch =>
                $"advert interval mismatch: {AddressOf(source)} advertises {FormatSeconds(advertisedInterval)}, ours is {_advertIntervalSeconds} s",
            VrrpDropReason.AuthTypeMismatch =>
                $"authentication type mismatch: {AddressOf(source)} uses type {authType}, ours is {(byte)_options.AuthType}",
            VrrpDropReason.AuthFailure =>
                $"authentication failure: {AddressOf(source)} sends a different password",
            VrrpDropReason.AddressCountMismatch =>
                $"virtual address list mismatch: {AddressOf(source)} advertises {addressCount} addresses, ours has {_addresses.Length}",
            VrrpDropReason.AddressListMismatch =>
                $"virtual address list mismatch: {AddressOf(source)} advertises another set of addresses",
            _ => null,
        };

        if (fault is not null)
        {
            // Not Fault state: the peer would time out too and both nodes would release the VIP. Make it loud instead.
            _configurationFault = fault;
            _configurationFaultSource = source;
        }

        var now = Now;
        if (_dropLogTimes[(int)reason] is { } last && now - last < s_dropLogInterval)
        {
            return;
        }

        _dropLogTimes[(int)reason] = now;
        if (fault is not null)
        {
            VrrpLog.ConfigurationFault(_logger, _options.Name, fault);
        }
        else
        {
            VrrpLog.AdvertDropped(_logger, _options.Name, AddressOf(source), reason);
        }
    }
}
