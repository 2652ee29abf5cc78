using System.Net.Sockets;

namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// The data-path seam: copies one direction of a session until the source's FIN, an error or an abort (the session
/// runs two of these). Half-close handling lives in <see cref="ProxyConnection"/>, so a splice(2) implementation only
/// has to move bytes. An abort disposes both sockets; a copier must then return promptly.
/// </summary>
internal interface IDuplexCopier
{
    ValueTask<CopyResult> CopyAsync(Socket source, Socket destination, ICopyObserver observer, bool fromClient);
}
