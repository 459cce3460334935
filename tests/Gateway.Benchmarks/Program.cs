using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Micro;

// dotnet run -c Release --project tests/Gateway.Benchmarks -- [--rounds N] [--seconds S] [--quick] [--out report.md] …
// dotnet run -c Release --project tests/Gateway.Benchmarks -- micro [BenchmarkDotNet arguments]
if (args.Length > 0 && args[0] == "micro")
{
    return MicroBenchmarks.Run(args[1..]);
}

return await BenchmarkCommand.RunAsync(args, Console.Out).ConfigureAwait(false);
