namespace CloudCoreLb.Benchmarks.DataPaths.SocketCopiers;

/// <summary>What a copier reports while it moves bytes: activity refreshes the inactivity timeouts and feeds counters.</summary>
internal interface ICopyObserver
{
    /// <summary><paramref name="bytes"/> were read from the source of one direction.</summary>
    void OnReceived(bool fromClient, int bytes);

    /// <summary><paramref name="bytes"/> were handed to the destination's kernel buffer.</summary>
    void OnSent(bool fromClient, int bytes);
}
