using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Micro;

// dotnet run -c Release --project tests/Gateway.Benchmarks -- [--rounds N] [--seconds S] [--quick] [--out report.md] …
// dotnet run -c Release --project tests/Gateway.Benchmarks -- micro [BenchmarkDotNet arguments]
if (args.Length > 0 && args[0] == "micro")
{
    return MicroBenchmarks.Run(args[1..]);
}

// dotnet run -c Release --project tests/Gateway.Benchmarks -- spray [--names N] [--window SECONDS] [--out FILE]
if (args.Length > 0 && args[0] == "spray")
{
    return await Gateway.Benchmarks.Hardening.SprayStorageBenchmark.RunAsync(args[1..], Console.Out).ConfigureAwait(false);
}

// dotnet run -c Release --project tests/Gateway.Benchmarks -- failure-timing [--samples N] [--out FILE]
if (args.Length > 0 && args[0] == "failure-timing")
{
    return await Gateway.Benchmarks.Hardening.FailureTimingBenchmark.RunAsync(args[1..], Console.Out).ConfigureAwait(false);
}

// dotnet run -c Release --project tests/Gateway.Benchmarks -- federation [--seconds S] [--rounds N] [--workers W] [--out FILE]
if (args.Length > 0 && args[0] == "federation")
{
    return await Gateway.Benchmarks.Federation.FederationBenchmark.RunAsync(args[1..], Console.Out).ConfigureAwait(false);
}

// dotnet run -c Release --project tests/Gateway.Benchmarks -- capacity [--requests N] [--users N] [--concurrency N] [--out FILE]
if (args.Length > 0 && args[0] == "capacity")
{
    return await Gateway.Benchmarks.Capacity.CapacityBenchmark.RunAsync(args[1..], Console.Out).ConfigureAwait(false);
}

// dotnet run -c Release --project tests/Gateway.Benchmarks -- ldap [--users N] [--requests N] [--concurrency N] [--latency-users N] [--out FILE] [--log FILE]
if (args.Length > 0 && args[0] == "ldap")
{
    return await Gateway.Benchmarks.Ldap.LdapBenchmark.RunAsync(args[1..], Console.Out).ConfigureAwait(false);
}

// The yarp-floor target's process (started by the benchmark itself): Kestrel + YARP, no auth.
if (args.Length > 0 && args[0] == "yarp-floor")
{
    return await Gateway.Benchmarks.Floor.YarpFloorProgram.RunAsync(args[1..]).ConfigureAwait(false);
}

return await BenchmarkCommand.RunAsync(args, Console.Out).ConfigureAwait(false);
