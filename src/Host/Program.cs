using CloudCoreLb.Host.Cli;

return CommandLine.Build().Parse(args).Invoke(new System.CommandLine.InvocationConfiguration
{
    // The generic host owns SIGTERM/SIGINT for `run` (clean VRRP release); the parser must not race it.
    ProcessTerminationTimeout = null,
});
