// The daemon and its tests are Linux-only (Directory.Build.props sets linux-x64).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
