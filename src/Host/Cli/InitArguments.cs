using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CloudCoreLb.Vrrp;

namespace CloudCoreLb.Host.Cli;

/// <summary>
/// What <c>cloudcore-lb init</c> was asked for, validated: the KubeEdge HA setup of docs/design/cloudcore-ha.md for
/// these masters, this VIP and this interface.
/// </summary>
/// <param name="Masters">Every master's address, in priority order (the first gets the highest).</param>
/// <param name="Names">Each master's host name (the daemon's default node name), or null to key nodes by address.</param>
/// <param name="Vip">The virtual address with its prefix length.</param>
/// <param name="Interface">The interface VRRP runs on (the same on every master).</param>
/// <param name="VirtualRouterId">VRID. <remarks>Defaults to the seed's 167.</remarks></param>
/// <param name="Password">PASS authentication secret, at most 8 bytes (RFC 2338 §5.3.8's field).</param>
internal sealed record InitArguments(
    IReadOnlyList<IPAddress> Masters,
    IReadOnlyList<string>? Names,
    VirtualAddress Vip,
    string Interface,
    int VirtualRouterId,
    string Password)
{
    /// <summary>The seed's VRID.</summary>
    public const int DefaultVirtualRouterId = 167;

    /// <summary>More masters would need priorities and a tracking weight beyond what one spread of 100 down covers.</summary>
    public const int MaxMasters = 32;

    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>Each master's node key in <c>nodes:</c>: its host name when given, else its address.</summary>
    public IReadOnlyList<string> NodeKeys => Names ?? Masters.Select(m => m.ToString()).ToArray();

    /// <summary>Validates the command line's values; every problem is reported, not just the first.</summary>
    public static (InitArguments? Arguments, IReadOnlyList<string> Errors) Parse(
        string? masters, string? names, string? vip, string? interfaceName, int? virtualRouterId, string? password)
    {
        var errors = new List<string>();
        var addresses = new List<IPAddress>();
        foreach (var item in (masters ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPAddress.TryParse(item, out var address) || address.AddressFamily != AddressFamily.InterNetwork || item.Count(c => c == '.') != 3)
            {
                errors.Add($"--masters: '{item}' is not an IPv4 address");
            }
            else if (addresses.Contains(address))
            {
                errors.Add($"--masters: {address} is listed twice");
            }
            else
            {
                addresses.Add(address);
            }
        }

        if (addresses.Count == 0 && !errors.Any(e => e.StartsWith("--masters", StringComparison.Ordinal)))
        {
            errors.Add("--masters: give every master's address, comma-separated (e.g. 10.10.102.11,10.10.102.12,10.10.102.13)");
        }
        else if (addresses.Count > MaxMasters)
        {
            errors.Add($"--masters: at most {MaxMasters} masters");
        }

        IReadOnlyList<string>? nodeNames = null;
        if (names is not null)
        {
            var list = names.Split(',', StringSplitOptions.TrimEntries);
            if (list.Length != addresses.Count)
            {
                errors.Add($"--names: {list.Length} name(s) for {addresses.Count} master(s); give one host name per master, in the same order");
            }

            foreach (var name in list)
            {
                if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')))
                {
                    errors.Add($"--names: '{name}' is not a host name");
                }
            }

            if (list.Distinct(StringComparer.Ordinal).Count() != list.Length)
            {
                errors.Add("--names: every master needs its own name");
            }

            nodeNames = list;
        }

        VirtualAddress? virtualAddress = null;
        var parts = (vip ?? "").Split('/');
        if (vip is null)
        {
            errors.Add("--vip: give the virtual address with its prefix length (e.g. 10.10.102.242/24)");
        }
        else if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var vipAddress) || vipAddress.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var prefix) || prefix is < 1 or > 32)
        {
            errors.Add($"--vip: '{vip}' is not ADDRESS/LENGTH (e.g. 10.10.102.242/24)");
        }
        else if (addresses.Contains(vipAddress))
        {
            errors.Add($"--vip: {vipAddress} is a master's own address; the VIP must be an unused one");
        }
        else
        {
            virtualAddress = new VirtualAddress(vipAddress, prefix);
        }

        if (string.IsNullOrWhiteSpace(interfaceName))
        {
            errors.Add("--interface: give the interface the masters share the VIP's segment on (e.g. eth0)");
        }
        else if (interfaceName.Length > 15 || interfaceName.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
        {
            errors.Add($"--interface: '{interfaceName}' is not an interface name");
        }

        var vrid = virtualRouterId ?? DefaultVirtualRouterId;
        if (vrid is < 1 or > 255)
        {
            errors.Add($"--vrid: {vrid} is outside 1..255");
        }

        if (password is not null && (password.Length == 0 || Encoding.UTF8.GetByteCount(password) > 8))
        {
            errors.Add("--password: 1 to 8 bytes (VRRP's simple-text authentication field is 8 bytes)");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new InitArguments(addresses, nodeNames, virtualAddress!.Value, interfaceName!, vrid, password ?? GeneratePassword()), errors);
    }

    /// <summary>Eight characters from an alphabet without look-alikes: the field's full length, typed by hand on no node.</summary>
    private static string GeneratePassword() =>
        new(Enumerable.Range(0, 8).Select(_ => PasswordAlphabet[RandomNumberGenerator.GetInt32(PasswordAlphabet.Length)]).ToArray());
}
