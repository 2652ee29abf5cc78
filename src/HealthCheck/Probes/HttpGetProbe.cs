using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

namespace CloudCoreLb.HealthCheck.Probes;

/// <summary>
/// HTTP(S) GET whose status must fall in a range (haproxy <c>option httpchk</c> semantics: L7OK / L7STS). Each check
/// opens a fresh connection (<c>Connection: close</c>, pooled lifetime zero) so a wedged accept queue cannot hide
/// behind a pooled keep-alive connection. The loop's cancellation is the only timeout.
/// </summary>
public sealed class HttpGetProbe : IHealthProbe, IDisposable
{
    private readonly HttpGetProbeOptions _options;
    private readonly HttpMessageInvoker _client;

    /// <summary>Creates a probe; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public HttpGetProbe(HttpGetProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(options));
        }

        _options = options;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (options.Insecure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }

        _client = new HttpMessageInvoker(handler, disposeHandler: true);
        Description = $"http GET {options.Uri}";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public async ValueTask<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _options.Uri);
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status >= _options.ExpectedStatusMin && status <= _options.ExpectedStatusMax
                ? ProbeResult.Ok("L7OK") with { Detail = $"HTTP {status}" }
                : ProbeResult.Fail("L7STS", $"HTTP {status}, expected {_options.ExpectedStatusMin}-{_options.ExpectedStatusMax}");
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return ex switch
            {
                { InnerException: SocketException se } => ProbeResult.Fail("L4CON", se.SocketErrorCode.ToString()),
                { InnerException: AuthenticationException ae } => ProbeResult.Fail("L6RSP", ae.Message),
                _ => ProbeResult.Fail("L7RSP", ex.Message),
            };
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}
