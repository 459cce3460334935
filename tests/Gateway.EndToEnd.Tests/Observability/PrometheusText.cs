using System.Globalization;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>One scrape of a node's <c>/metrics</c> (Prometheus text format), parsed into series.</summary>
public sealed class PrometheusText
{
    private PrometheusText(string text, List<(string Name, string Labels, double Value)> series)
    {
        Text = text;
        Series = series;
    }

    public string Text { get; }

    public IReadOnlyList<(string Name, string Labels, double Value)> Series { get; }

    /// <summary>Every series name (histograms as <c>_bucket</c>, <c>_count</c> and <c>_sum</c>).</summary>
    public IReadOnlySet<string> Names => Series.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    public static async Task<PrometheusText> ScrapeAsync(GatewayNode node, string path = "metrics")
    {
        using var http = node.CreateMetricsClient();
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        var contentType = response.Content.Headers.ContentType?.ToString() ?? string.Empty;
        Assert.StartsWith("text/plain", contentType, StringComparison.Ordinal);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static PrometheusText Parse(string text)
    {
        var series = new List<(string, string, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name, labels;
            int valueStart;
            if (brace >= 0 && (space < 0 || brace < space))
            {
                var close = line.LastIndexOf('}');
                name = line[..brace];
                labels = line[(brace + 1)..close];
                valueStart = close + 2;
            }
            else
            {
                name = line[..space];
                labels = string.Empty;
                valueStart = space + 1;
            }

            var value = line[valueStart..].Split(' ')[0];
            series.Add((name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }

        return new PrometheusText(text, series);
    }

    /// <summary>The sum over the series of <paramref name="name"/> whose labels contain every one of <paramref name="labels"/> (e.g. <c>outcome="allowed"</c>).</summary>
    public double Sum(string name, params string[] labels) =>
        Series.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);
}
