namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>
/// One frozen session as an upgrade hands it to the next process. Descriptors are indices into
/// <see cref="ProxyHandover.Descriptors"/> (the new process receives the same list, numbered its own way);
/// timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks of CLOCK_MONOTONIC, which both processes share.
/// </summary>
/// <param name="Frontend">Frontend that accepted the client.</param>
/// <param name="Backend">Backend the session was balanced in.</param>
/// <param name="Server">Server name once one was picked; null before.</param>
/// <param name="ClientFd">Index of the client socket.</param>
/// <param name="ServerFd">Index of the server socket, -1 while not connected (the new process connects afresh).</param>
/// <param name="Established">Whether the server side is connected; only then do the directions carry state.</param>
/// <param name="Started">When the client was accepted.</param>
/// <param name="ClientActivity">Last read from or write to the client.</param>
/// <param name="ServerActivity">Last read from or write to the server.</param>
/// <param name="HalfClosed">Half-close flags (FIN seen or sent per side).</param>
/// <param name="FirstFinFrom">Which side closed first, for the close reason.</param>
/// <param name="ToServer">Client-to-server direction.</param>
/// <param name="ToClient">Server-to-client direction.</param>
/// <param name="PreservedSlot">After a crash: the journal slot the session keeps (its copies stay stored); -1 otherwise.</param>
public sealed record SessionHandover(
    string Frontend,
    string Backend,
    string? Server,
    int ClientFd,
    int ServerFd,
    bool Established,
    long Started,
    long ClientActivity,
    long ServerActivity,
    int HalfClosed,
    int FirstFinFrom,
    DirectionHandover ToServer,
    DirectionHandover ToClient,
    int PreservedSlot = -1);

/// <summary>
/// One direction of a frozen session: bytes read and not yet written are either in a splice pipe (passed as two
/// descriptors, so nothing in flight is lost) or, on the copy path, carried here as <see cref="Buffered"/>.
/// </summary>
/// <param name="Ended">The source's FIN was passed on.</param>
/// <param name="Spliced">The direction forwards with splice(2).</param>
/// <param name="Pending">Bytes waiting in the pipe (0 when there is none).</param>
/// <param name="PipeRead">Index of the pipe's read end, or -1.</param>
/// <param name="PipeWrite">Index of the pipe's write end, or -1.</param>
/// <param name="Buffered">Unwritten bytes of the copy path, or null.</param>
public sealed record DirectionHandover(bool Ended, bool Spliced, int Pending, int PipeRead, int PipeWrite, byte[]? Buffered);
