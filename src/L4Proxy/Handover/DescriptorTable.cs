namespace CloudCoreLb.L4Proxy.Handover;

/// <summary>Collects descriptors from every loop's thread into one list, giving each its index.</summary>
internal sealed class DescriptorTable
{
    private readonly Lock _lock = new();
    private readonly List<int> _fds = [];

    public int Add(int fd)
    {
        lock (_lock)
        {
            _fds.Add(fd);
            return _fds.Count - 1;
        }
    }

    public int[] ToArray()
    {
        lock (_lock)
        {
            return [.. _fds];
        }
    }
}
