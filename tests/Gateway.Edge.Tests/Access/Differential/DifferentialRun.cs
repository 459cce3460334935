using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// Sends requests through the gate from several loopback addresses at once (one request at a time per address),
/// gives everything it forwarded to the registry oracle in one batch, and collects the differences.
/// </summary>
public sealed class DifferentialRun(DifferentialFixture fixture)
{
    /// <summary>What one run found.</summary>
    public sealed record Result(int Sent, int Allowed, int Forwarded, int RegistryActed, TimeSpan Elapsed, IReadOnlyList<Difference> Differences, IReadOnlyDictionary<string, int> Outcomes)
    {
        public double PerSecond => Sent / Math.Max(Elapsed.TotalSeconds, 0.001);

        /// <summary>Distinct differences: the problem with the generator's tags.</summary>
        public IReadOnlyList<string> DistinctSignatures => Differences.Select(d => d.Signature).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>One difference: the request, its index in the run, what differed.</summary>
    public sealed record Difference(int Index, HostileRequest Request, string Problem, string Detail)
    {
        public string Signature => Problem.Split(':')[0] + " [" + string.Join(',', Request.Tags.Order(StringComparer.Ordinal)) + "]";
    }

    public async Task<Result> RunAsync(IReadOnlyList<HostileRequest> requests, int workers)
    {
        var stopwatch = Stopwatch.StartNew();
        var gate = fixture.Gate;
        var differences = new List<Difference>();
        var exchanges = new GateExchange[requests.Count];
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var sync = new object();
        var firstId = Interlocked.Add(ref _nextId, requests.Count) - requests.Count;

        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var client = IPAddress.Parse($"127.0.0.{20 + w}");
            for (var i = w; i < requests.Count; i += workers)
            {
                var exchange = await gate.SendAsync(requests[i], client, firstId + i);
                exchanges[i] = exchange;
                lock (sync)
                {
                    foreach (var audit in exchange.Audits)
                    {
                        var key = audit.Outcome == "bad_request" ? "refused: " + audit.Reason : audit.Outcome;
                        outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                    }

                    if (exchange.Audits.Count == 0)
                    {
                        outcomes["refused by the server before the gate"] = outcomes.GetValueOrDefault("refused by the server before the gate") + 1;
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var sendingTime = stopwatch.Elapsed;

        // A request whose body broke off may reach the backend after its answer: give those a moment, then pair each
        // forwarded request with the decision of the request that carried the same X-Fuzz-Id.
        await Task.Delay(500);
        var forwardedByTag = gate.TakeForwarded().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var pending = new List<(int Index, HostileRequest Request, AuditEvent? Decision, ForwardedRequest Forwarded)>();
        var allowed = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            var exchange = exchanges[i];
            foreach (var decision in exchange.Audits)
            {
                var tag = decision.Tag ?? exchange.Id.ToString(CultureInfo.InvariantCulture);
                if (!forwardedByTag.Remove(tag, out var forwarded))
                {
                    forwarded = [];
                }

                if (decision.Outcome == "allowed")
                {
                    allowed++;
                    pending.AddRange(forwarded.Select(f => (i, requests[i], (AuditEvent?)decision, f)));
                }
                else if (forwarded.Count > 0)
                {
                    differences.Add(new Difference(i, requests[i], "forwarded without an allowed decision", $"{decision.Message}; forwarded {forwarded.Count}: {Escape(Encoding.Latin1.GetString(forwarded[0].Bytes))}"));
                }
            }
        }

        foreach (var (tag, forwarded) in forwardedByTag)
        {
            var index = long.TryParse(tag.Split('.')[0], CultureInfo.InvariantCulture, out var id) && id - firstId is >= 0 and var offset && offset < requests.Count ? (int)offset : -1;
            var request = index >= 0 ? requests[index] : new HostileRequest(WireProtocol.Http1, forwarded[0].Bytes, null, false, false, ["untagged"]);
            differences.Add(new Difference(index, request, "forwarded without any decision", $"tag {tag}; {Escape(Encoding.Latin1.GetString(forwarded[0].Bytes))}"));
        }

        var results = await fixture.Oracle.ReadAsync(pending.Select(p => p.Forwarded.Bytes).ToList());
        var acted = 0;
        for (var k = 0; k < pending.Count; k++)
        {
            var (index, request, decision, forwarded) = pending[k];
            acted += results[k].Access.Count > 0 ? 1 : 0;
            foreach (var problem in DifferentialCheck.Compare(decision, results[k]))
            {
                var registry = results[k].Access.FirstOrDefault() ?? results[k].Router.FirstOrDefault();
                differences.Add(new Difference(index, request, problem,
                    $"gate: {decision?.Message ?? "(no decision)"}\nforwarded: {Escape(Encoding.Latin1.GetString(forwarded.Bytes))}\nregistry: route={registry?.Route} name={registry?.Name} from={registry?.From} mount={registry?.Mount} access={string.Join(' ', registry?.Access ?? [])} statuses={string.Join(',', results[k].Statuses)}"));
            }
        }

        return new Result(requests.Count, allowed, pending.Count, acted, sendingTime, differences, outcomes);
    }

    private static long _nextId;

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
