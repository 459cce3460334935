using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Gateway.Benchmarks.Report;
using Gateway.Benchmarks.Targets;
using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Harness;

/// <summary>
/// The benchmark command: starts the targets, runs the workloads round by round, writes and prints the report, and
/// stops everything it started, also on failure, Ctrl-C or SIGTERM. Exit code 0 when every workload ran, 1 when the
/// run failed or was interrupted (a partial report is still written), 2 on a bad command line.
/// </summary>
public static class BenchmarkCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await output.WriteLineAsync(e.Message + "\n\n" + BenchmarkOptions.Usage).ConfigureAwait(false);
            return 2;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(BenchmarkOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // unwind: every process started is stopped on the way out
            output.WriteLine($"{context.Signal}: stopping, cleaning up…");
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var log = TextWriter.Synchronized(output);
        var watch = Stopwatch.StartNew();
        var results = new BenchmarkResults
        {
            Options = options,
            Machine = await MachineInfo.DescribeAsync().ConfigureAwait(false),
            Started = DateTimeOffset.UtcNow,
        };
        log.WriteLine($"Benchmark: {options.Describe()}");
        log.WriteLine($"Machine: {results.Machine.Cores} cores, {results.Machine.CpuModel}, load average {results.Machine.LoadAverageAtStart}");

        var ok = false;
        BenchmarkStack? stack = null;
        try
        {
            var users = new List<string>();
            if (options.Runs("flood"))
            {
                users.AddRange(Flood.Users(options));
            }

            if (options.Runs("rate-limit") && options.Has(TargetNames.Gateway3))
            {
                users.AddRange(RateLimit.Users(options));
            }

            log.WriteLine("Starting the targets…");
            stack = await BenchmarkStack.StartAsync(options, users, log, cancel.Token).ConfigureAwait(false);
            results.Targets.AddRange(stack.Targets.Select(TargetInfo.Of));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Targets up after {watch.Elapsed.TotalSeconds:0} s: {string.Join(", ", stack.Targets)}"));
            log.WriteLine($"Working folder: {stack.Temp.Path}");
            var context = new RunContext(options, stack, log, cancel.Token);
            if (options.Runs("small"))
            {
                var image = await SmallRequests.PrepareAsync(context).ConfigureAwait(false);
                results.SmallWorkloads.AddRange(SmallRequests.Workloads(image, options.Connections));
            }

            log.WriteLine("Warming up every target (TLS, the gateway's first bcrypt of the benchmark user; gateways also get a few seconds of steady load per path for tiered JIT)…");
            await TargetWarmup.RunAsync(context, results.SmallWorkloads.Select(w => w.Path).DefaultIfEmpty("/v2/").Distinct()).ConfigureAwait(false);
            await context.MeasureIdleAsync().ConfigureAwait(false);
            foreach (var target in results.Targets)
            {
                target.IdleProxyCores = context.IdleProxyCores.GetValueOrDefault(target.Name);
            }

            log.WriteLine("Idle CPU of the targets: " + string.Join(", ", context.IdleProxyCores.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Key} {i.Value:0.000} cores"))));

            if (options.Runs("small"))
            {
                log.WriteLine("Small authenticated requests…");
                results.Small.AddRange(await SmallRequests.RunAsync(context, results.SmallWorkloads).ConfigureAwait(false));
            }

            if (options.Runs("push-pull"))
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Push and pull of {options.ImageMiB} MiB…"));
                results.PushPull.AddRange(await PushPull.RunAsync(context).ConfigureAwait(false));
            }

            if (options.Runs("push-pull-curl"))
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Push and pull of a {options.ImageMiB} MiB blob with curl over HTTP/1.1…"));
                results.PushPullCurl.AddRange(await PushPullCurl.RunAsync(context).ConfigureAwait(false));
            }

            if (options.Runs("rss-1g"))
            {
                if (RssBlob.WhyNot(context) is { } why)
                {
                    results.NotMeasured["rss-1g"] = why;
                    log.WriteLine("rss-1g: " + why);
                }
                else
                {
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Resident memory during a {options.RssBlobMiB} MiB blob's push and pull with curl…"));
                    results.RssBlob.AddRange(await RssBlob.RunAsync(context).ConfigureAwait(false));
                }
            }

            if (options.Runs("fleet-pull"))
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fleet pull: {options.FleetClients} clients × {options.FleetPulls} pulls of one image by tag…"));
                var fleetImage = await FleetPull.PrepareAsync(context).ConfigureAwait(false);
                results.FleetPull.AddRange(await FleetPull.RunAsync(context, fleetImage).ConfigureAwait(false));
            }

            if (options.Runs("flood"))
            {
                if (stack.Targets.Any(t => t.Authenticates))
                {
                    log.WriteLine("Wrong-password flood…");
                    results.Flood.AddRange(await Flood.RunAsync(context).ConfigureAwait(false));
                }
                else
                {
                    results.NotMeasured["flood"] = "not measured: no target in this run checks passwords.";
                }
            }

            if (options.Runs("tokens"))
            {
                if (await Tokens.WhyNotAsync(context).ConfigureAwait(false) is { } why)
                {
                    results.NotMeasured["tokens"] = why;
                    log.WriteLine("Tokens: " + why);
                }
                else
                {
                    log.WriteLine("Tokens per second…");
                    results.Tokens.AddRange(await Tokens.RunAsync(context).ConfigureAwait(false));
                }

                log.WriteLine("One bcrypt verification at cost 5 and 10 (docker_auth's cost per token)…");
                results.Bcrypt.AddRange(Tokens.MeasureBcrypt(5, 10));
            }

            if (options.Runs("token-copy"))
            {
                if (options.Has(TargetNames.Gateway1))
                {
                    log.WriteLine("skopeo copy of a small image, basic mode against token mode…");
                    results.TokenCopy.AddRange(await TokenCopy.RunAsync(context).ConfigureAwait(false));
                }
                else
                {
                    results.NotMeasured["token-copy"] = "not measured: it needs gateway-1 (`--targets`).";
                }
            }

            if (options.Runs("rate-limit"))
            {
                if (options.Has(TargetNames.Gateway3))
                {
                    log.WriteLine("Rate-limit exactness (the other targets are stopped first)…");
                    await stack.StopTargetsAsync().ConfigureAwait(false);
                    results.RateLimit.AddRange(await RateLimit.RunAsync(context).ConfigureAwait(false));
                }
                else
                {
                    results.NotMeasured["rate-limit"] = "not measured: it needs three gateway nodes (`--targets` with gateway-3).";
                }
            }

            ok = true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            results.Failure = "interrupted (Ctrl-C or SIGTERM).";
        }
#pragma warning disable CA1031 // the report and the cleanup still happen; the exit code says it failed
        catch (Exception e)
#pragma warning restore CA1031
        {
            results.Failure = $"{e.GetType().Name}: {e.Message}";
            log.WriteLine("FAILED: " + e);
        }
        finally
        {
            if (stack is not null)
            {
                log.WriteLine("Stopping everything…");
                await stack.DisposeAsync().ConfigureAwait(false);
            }
        }

        results.Elapsed = watch.Elapsed;
        results.LoadAverageAtEnd = MachineInfo.LoadAverage();
        var report = ReportWriter.Write(results);
        var path = Path.GetFullPath(options.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, CancellationToken.None).ConfigureAwait(false);
        log.WriteLine();
        log.WriteLine(report);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Report written to {path} ({watch.Elapsed.TotalMinutes:0.0} min)."));
        return ok ? 0 : 1;
    }
}
