using System.Net.Sockets;
using System.Text;
using CloudCoreLb.Host.Configuration;
using CloudCoreLb.Host.Handover;
using CloudCoreLb.Host.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Control;

/// <summary>
/// The local control socket: one request line per connection (<see cref="ControlRequest"/>: <c>status</c>,
/// <c>status-json</c>, <c>reload</c>, <c>upgrade</c>, <c>server ...</c>, <c>vrrp ...</c>), one response, then close. A successor binds it anew once the old process has let go. Access is the socket file's mode (0660, owner and group of the daemon): whoever may
/// reload may also read status.
/// </summary>
internal sealed class ControlServer(ConfigState config, StatusProvider status, ReloadCoordinator reload, UpgradeCoordinator upgrade, ControlOperations operations, ProcessLineage lineage, ILogger<ControlServer> logger) : BackgroundService
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);
    private string? _path;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _path = config.Current.Control.Socket;
        try
        {
            await lineage.Committed.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Socket listener;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            if (File.Exists(_path))
            {
                // A successor replaces the old process's socket, which still answers until that process is gone.
                if (!lineage.IsTakeover && await IsAnsweringAsync(_path).ConfigureAwait(false))
                {
                    ControlLog.SocketInUse(logger, _path);
                    return;
                }

                // A stale socket left by a crashed run.
                File.Delete(_path);
            }

            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(_path));
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            listener.Listen(16);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            ControlLog.ListenFailed(logger, _path, ex);
            return;
        }

        // Closing the listener unlinks its path: after an upgrade that must happen before the successor binds it.
        void Release() => listener.Dispose();
        lineage.HandingOver += Release;
        using (listener)
        {
            ControlLog.Listening(logger, _path);
            var failing = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (Exception ex) when (lineage.HandedOver && ex is ObjectDisposedException or SocketException)
                {
                    break;
                }
                catch (SocketException ex)
                {
                    // EMFILE/ENFILE while the proxy holds every descriptor: that client goes unanswered, the daemon
                    // must not stop (an exception out of here stops the host). The pending connection would fail the
                    // next accept at once, hence the pause; logged once per run of failures.
                    if (!failing)
                    {
                        ControlLog.AcceptFailed(logger, ex.SocketErrorCode);
                        failing = true;
                    }

                    try
                    {
                        await Task.Delay(AcceptRetryDelay, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    continue;
                }

                failing = false;
                _ = ServeAsync(client, stoppingToken);
            }
        }

        lineage.HandingOver -= Release;
        if (lineage.HandedOver)
        {
            // The path is the successor's socket now.
            return;
        }

        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<bool> IsAnsweringAsync(string path)
    {
        try
        {
            await ControlClient.SendAsync(path, "status-json", TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                using var stream = new NetworkStream(client, ownsSocket: false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                var line = await ControlRequestReader.ReadAsync(stream, timeout.Token).ConfigureAwait(false);
                var response = !ControlRequest.TryParse(line, out var request, out var invalid) ? $"error: {invalid}\n" : request!.Verb switch
                {
                    ControlVerb.Status => StatusFormatter.Format(status.Get()),
                    ControlVerb.StatusJson => StatusJson.Serialize(status.Get()),
                    ControlVerb.Reload => await reload.ReloadAsync(timeout.Token).ConfigureAwait(false) is { } error ? $"error: {error}\n" : "ok: configuration reloaded\n",
                    ControlVerb.Upgrade => await upgrade.UpgradeAsync("control socket").ConfigureAwait(false),
                    ControlVerb.Server => operations.Server(request),
                    _ => await operations.VrrpAsync(request).ConfigureAwait(false),
                };
                try
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(response), timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    upgrade.ExitIfHandedOver();
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The client went away; nothing to answer.
            }
        }
    }
}
