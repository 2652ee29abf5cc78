using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CloudCoreLb.Host.Metrics;

/// <summary>
/// The metrics listener: one <see cref="HttpListener"/> (the one prometheus-net's standalone server wraps, managed
/// code on Linux, no ASP.NET Core) on the configured address, every path given to <see cref="MonitoringHandler"/>.
/// prometheus-net's server cannot add paths of its own, hence this small loop in its place.
/// </summary>
internal sealed class MonitoringListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly MonitoringHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    private MonitoringListener(MonitoringHandler handler, ILogger logger)
    {
        _handler = handler;
        _logger = logger;
    }

    /// <summary>Binds <paramref name="endpoint"/> (0.0.0.0 or :: = every address) and starts answering.</summary>
    /// <exception cref="HttpListenerException">The address is taken or not ours.</exception>
    public static MonitoringListener Start(IPEndPoint endpoint, MonitoringHandler handler, ILogger logger)
    {
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any) ? "+"
            : endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]"
            : endpoint.Address.ToString();
        var listener = new MonitoringListener(handler, logger);
        listener._listener.Prefixes.Add($"http://{host}:{endpoint.Port}/");
        try
        {
            listener._listener.Start();
        }
        catch
        {
            listener._listener.Close();
            throw;
        }

        listener._accepting = listener.AcceptAsync();
        return listener;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // Stopped.
            }

            _ = ServeAsync(context);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            MonitoringResponse answer;
            try
            {
                answer = await _handler.HandleAsync(request.HttpMethod, request.Url?.AbsolutePath ?? "/", _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A status read racing a reload, a collector bug: the scrape fails, the daemon does not.
                MetricsLog.RequestFailed(_logger, request.HttpMethod, request.Url?.AbsolutePath ?? "/", ex);
                answer = new MonitoringResponse(500, "text/plain; charset=utf-8", "internal error; see the daemon's log\n"u8.ToArray(), []);
            }

            response.StatusCode = answer.StatusCode;
            response.ContentType = answer.ContentType;
            foreach (var (name, value) in answer.Headers)
            {
                response.Headers[name] = value;
            }

            response.ContentLength64 = answer.Body.Length;
            if (request.HttpMethod != "HEAD")
            {
                await response.OutputStream.WriteAsync(answer.Body, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away, or we are stopping: nothing to answer.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Close();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
