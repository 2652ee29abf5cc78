namespace CloudCoreLb.Host.Configuration;

/// <summary>Thrown when a configuration file is rejected; carries every error found, not just the first.</summary>
internal sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }
}
