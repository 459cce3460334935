using System.Globalization;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.DirectAuth;

/// <summary>Reads counters from the nodes' Prometheus endpoints (<c>/metrics</c>).</summary>
public static class Metrics
{
    /// <summary>The sum over all series of <paramref name="name"/> whose labels contain every one of <paramref name="labels"/>.</summary>
    public static async Task<double> SumAsync(GatewayNode node, string name, params string[] labels)
    {
        using var http = node.CreateMetricsClient();
        var text = await http.GetStringAsync("metrics");
        double total = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || (line.Length > name.Length && line[name.Length] is not ('{' or ' ')))
            {
                continue;
            }

            if (labels.Any(l => !line.Contains(l, StringComparison.Ordinal)))
            {
                continue;
            }

            var value = line[(line.LastIndexOf(' ') + 1)..];
            total += double.Parse(value, CultureInfo.InvariantCulture);
        }

        return total;
    }

    /// <summary>The sum of <paramref name="name"/> over every node.</summary>
    public static async Task<double> SumAsync(IEnumerable<GatewayNode> nodes, string name, params string[] labels)
    {
        double total = 0;
        foreach (var node in nodes)
        {
            total += await SumAsync(node, name, labels);
        }

        return total;
    }
}
