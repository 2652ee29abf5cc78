namespace CloudCoreLb.Host.Configuration;

/// <summary>The configuration in force; a successful reload replaces it, a rejected one leaves it as it was.</summary>
internal sealed class ConfigState(CloudCoreLbConfig initial)
{
    private CloudCoreLbConfig _current = initial;

    public CloudCoreLbConfig Current => Volatile.Read(ref _current);

    public void Replace(CloudCoreLbConfig config) => Volatile.Write(ref _current, config);
}
