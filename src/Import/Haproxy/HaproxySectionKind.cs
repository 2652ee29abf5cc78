namespace CloudCoreLb.Import.Haproxy;

/// <summary>The haproxy proxy section types the importer reads.</summary>
internal enum HaproxySectionKind
{
    Defaults,
    Frontend,
    Backend,
    Listen,
}
