namespace CloudCoreLb.L4Proxy.Forwarding;

/// <summary>
/// One direction of an established session (client to server or back). Bytes read but not yet written wait either
/// in a splice pipe rented from the loop or, on the copy path, in a rented array; an idle direction holds neither.
/// </summary>
internal struct Direction
{
    /// <summary>The pipe while <see cref="HasPipe"/>.</summary>
    public (int Read, int Write) Pipe;

    public bool HasPipe;

    /// <summary>Bytes read from the source and not yet written to the destination.</summary>
    public int Pending;

    /// <summary>Unwritten bytes of the copy path (from <see cref="Offset"/>, <see cref="Pending"/> long), or null.</summary>
    public byte[]? Buffer;

    public int Offset;

    /// <summary>This direction moved a full buffer at once, so it forwards with splice(2) from now on.</summary>
    public bool Spliced;

    /// <summary>The source's FIN was passed on: nothing more flows this way.</summary>
    public bool Ended;
}
